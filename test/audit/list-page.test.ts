// A list page parsed item by item from its bytes: the same objects JSON.parse makes of the whole, for
// any key order, white space, escapes and non-ASCII text; clear errors for what is not a list.
import { describe, expect, it } from 'vitest';
import { parseList } from '../../src/audit/list-page.js';

const bytes = (text: string) => new TextEncoder().encode(text);

function parsedItems(text: string) {
  const { fields, items } = parseList(bytes(text), 'v1', 'Pod');
  return { fields, length: items.length, items: [...items] };
}

describe('parseList', () => {
  it('gives the items JSON.parse gives, with apiVersion and kind filled in, and the other fields parsed', () => {
    const list = {
      kind: 'PodList',
      apiVersion: 'v1',
      metadata: { resourceVersion: '42', continue: 'eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ', remainingItemCount: 7 },
      items: [
        { metadata: { name: 'a', labels: { 'quote"d': 'back\\slash', tricky: '}]{["\\"' } }, spec: { containers: [{ name: 'x', args: ['[', ']', '{', '}', ',', ':'] }] } },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ünïcödé-名前-🚀', annotations: { note: 'line\nbreak\ttab \u0001 \u2028' } }, spec: { priority: -1.5e3, enableServiceLinks: false, nodeName: null } },
        { metadata: { name: 'c' }, status: { conditions: [] } },
      ],
    };
    for (const text of [JSON.stringify(list), JSON.stringify(list, null, 2), JSON.stringify({ items: list.items, metadata: list.metadata }), `  \n${JSON.stringify(list)}\n `]) {
      const parsed = parsedItems(text);
      expect(parsed.length).toBe(3);
      expect(parsed.items).toEqual(list.items.map((item) => ({ apiVersion: 'v1', kind: 'Pod', ...item })));
      expect(parsed.fields.metadata).toEqual(list.metadata);
    }
  });

  it('parses the items again each time they are iterated, and an empty list has none', () => {
    const { items } = parseList(bytes('{"items":[{"metadata":{"name":"a"}}]}'), 'v1', 'Pod');
    const [first] = [...items];
    const [again] = [...items];
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
    expect(parsedItems('{"metadata":{},"items":[]}')).toEqual({ fields: { metadata: {} }, length: 0, items: [] });
    expect(parsedItems('{ "items" : [ ] }').length).toBe(0);
  });

  it('refuses what is not a list, saying where', () => {
    expect(() => parseList(bytes('[]'), 'v1', 'Pod')).toThrow('expected { at byte 0 of the list');
    expect(() => parseList(bytes('{"metadata":{}}'), 'v1', 'Pod')).toThrow('the answer has no items array');
    expect(() => parseList(bytes('{"items":{}}'), 'v1', 'Pod')).toThrow('the answer has no items array');
    expect(() => parseList(bytes('{"items":[{"a":"b}]}'), 'v1', 'Pod')).toThrow('unterminated string at byte 15 of the list');
    expect(() => parseList(bytes('{"items":[{"a":1}'), 'v1', 'Pod')).toThrow(SyntaxError);
    expect(() => parseList(bytes('{"items":[{"a":1}]} x'), 'v1', 'Pod')).toThrow('unexpected data after the list at byte 20 of the list');
    // An item the scan delimits but JSON does not accept fails when it is reached.
    const { items } = parseList(bytes('{"items":[{"a":}]}'), 'v1', 'Pod');
    expect(() => [...items]).toThrow(SyntaxError);
  });

  it('takes a generated page of the fake cluster apart exactly as JSON.parse does', async () => {
    const { generateCluster } = await import('./fake-cluster.mjs');
    const pods = generateCluster({ namespaces: 5 }).filter((object) => object.kind === 'Pod');
    const page = JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: pods.map(({ apiVersion: _a, kind: _k, ...rest }) => rest) });
    expect(parsedItems(page).items).toEqual(pods);
  });
});
