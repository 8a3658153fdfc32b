import { describe, expect, it } from 'vitest';
import { ALLOWED } from '../check.js';
import { runCheck } from './check-test-helpers.js';
import { restrictedVolumes } from './restricted-volumes.js';

const REASON = 'restricted volume types';

const ALLOWED_VOLUMES = [
  { name: 'a1', emptyDir: {} },
  { name: 'a2', secret: {} },
  { name: 'a3', persistentVolumeClaim: {} },
  { name: 'a4', downwardAPI: {} },
  { name: 'a5', configMap: {} },
  { name: 'a6', projected: {} },
  { name: 'a7', csi: {} },
  { name: 'a8', ephemeral: {} },
  { name: 'a9', image: {} },
];

const RESTRICTED_TYPES = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
];

describe('restrictedVolumes', () => {
  it('has one variant since v1.0, replacing hostPathVolumes', () => {
    expect(restrictedVolumes.versions).toHaveLength(1);
    expect(restrictedVolumes.versions[0]).toMatchObject({ minimumMinor: 0, overrideCheckIds: ['hostPathVolumes'] });
  });

  it.each([
    { name: 'every allowed type, image included, at v1.0', minor: 0, spec: { volumes: ALLOWED_VOLUMES } },
    { name: 'every allowed type at v1.37', minor: 37, spec: { volumes: ALLOWED_VOLUMES } },
    { name: 'no volumes', minor: 37, spec: {} },
    { name: 'volumes that is not a list', minor: 37, spec: { volumes: { name: 'x', hostPath: {} } } },
    { name: 'null entries', minor: 37, spec: { volumes: [null, 'x', { name: 'a', emptyDir: {} }] } },
    { name: 'an allowed source next to a restricted one', minor: 37, spec: { volumes: [{ name: 'a', secret: {}, hostPath: {} }] } },
  ])('allows $name', ({ minor, spec }) => {
    expect(runCheck(restrictedVolumes, minor, spec)).toBe(ALLOWED);
  });

  it('names every restricted volume in order, and every type sorted (PSA "host path volumes")', () => {
    const volumes = [
      ...ALLOWED_VOLUMES,
      ...RESTRICTED_TYPES.map((type, i) => ({ name: `b${i + 1}`, [type]: {} })),
      { name: 'c1' },
    ];
    const result = runCheck(restrictedVolumes, 37, { volumes });
    expect(result).toEqual({
      allowed: false,
      reason: REASON,
      detail:
        'volumes ' +
        '"b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9", "b10", "b11", "b12", "b13", "b14", "b15", "b16", "b17", "b18", "b19", "b20", "b21", "c1"' +
        ' use restricted volume types ' +
        '"awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "fc", "flexVolume", "flocker", "gcePersistentDisk", "gitRepo", "glusterfs", ' +
        '"hostPath", "iscsi", "nfs", "photonPersistentDisk", "portworxVolume", "quobyte", "rbd", "scaleIO", "storageos", "unknown", "vsphereVolume"',
      paths: [
        ...RESTRICTED_TYPES.map((type, i) => `spec.volumes[${i + ALLOWED_VOLUMES.length}].${type}`),
        `spec.volumes[${ALLOWED_VOLUMES.length + RESTRICTED_TYPES.length}]`,
      ],
    });
  });

  it.each([0, 37])('names one volume of one type in the singular at v1.%i', (minor) => {
    const result = runCheck(restrictedVolumes, minor, { volumes: [{ name: 'ok', emptyDir: {} }, { name: 'host', hostPath: { path: '/' } }] });
    expect(result).toEqual({
      allowed: false,
      reason: REASON,
      detail: 'volume "host" uses restricted volume type "hostPath"',
      paths: ['spec.volumes[1].hostPath'],
    });
  });

  it('names several volumes of one type with the type once', () => {
    const result = runCheck(restrictedVolumes, 37, { volumes: [{ name: 'x', nfs: {} }, { name: 'y', nfs: {} }] });
    expect(result.detail).toBe('volumes "x", "y" use restricted volume type "nfs"');
    expect(result.paths).toEqual(['spec.volumes[0].nfs', 'spec.volumes[1].nfs']);
  });

  it('names one volume of two types by the first restricted type PSA tests', () => {
    const result = runCheck(restrictedVolumes, 37, { volumes: [{ name: 'x', nfs: {}, hostPath: {} }] });
    expect(result.detail).toBe('volume "x" uses restricted volume type "hostPath"');
    expect(result.paths).toEqual(['spec.volumes[0].hostPath']);
  });

  it.each([
    { name: 'no source (the API server would default it to emptyDir)', volume: { name: 'x' } },
    { name: 'a null source', volume: { name: 'x', emptyDir: null } },
    { name: 'a source of the wrong type', volume: { name: 'x', emptyDir: 'yes' } },
    { name: 'a source PSA does not know', volume: { name: 'x', futureVolume: {} } },
  ])('reports $name as type "unknown" at the volume', ({ volume }) => {
    expect(runCheck(restrictedVolumes, 37, { volumes: [volume] })).toEqual({
      allowed: false,
      reason: REASON,
      detail: 'volume "x" uses restricted volume type "unknown"',
      paths: ['spec.volumes[0]'],
    });
  });
});
