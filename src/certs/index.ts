// Certificates for the webhook's TLS: a CA, serving and client certificates, written as a Secret would hold them.
export {
  createCertificateAuthority,
  issueCertificate,
  writeCertificates,
  DEFAULT_DAYS,
  type IssuedCertificate,
  type IssueOptions,
  type CertificateAuthorityOptions,
  type WriteCertificatesOptions,
  type WrittenCertificates,
} from './certificates.js';
export { CERTIFICATE_FILES, serviceDnsNames } from './files.js';
