// Certificates for the webhook's TLS: a CA, serving and client certificates, written as a Secret would hold them.
export {
  createCertificateAuthority,
  issueCertificate,
  writeCertificates,
  serviceDnsNames,
  CERTIFICATE_FILES,
  DEFAULT_DAYS,
  type IssuedCertificate,
  type IssueOptions,
  type CertificateAuthorityOptions,
  type WriteCertificatesOptions,
  type WrittenCertificates,
} from './certificates.js';
