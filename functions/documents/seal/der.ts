import forge from 'node-forge';

/**
 * Small ASN.1/DER helpers over node-forge's `asn1` (which works on "binary strings": one char per byte).
 * The seal code builds and reads CMS with these; nothing here knows about PDFs.
 */
export const asn1 = forge.asn1;
export type Asn1 = forge.asn1.Asn1;

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  /** id-aa-signingCertificateV2 (RFC 5035): binds the signer's certificate to the signature (CAdES/PAdES). */
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
} as const;

export const toBinary = (bytes: Uint8Array): string => Buffer.from(bytes).toString('binary');
export const fromBinary = (s: string): Buffer => Buffer.from(s, 'binary');

export function der(node: Asn1): Buffer {
  return fromBinary(asn1.toDer(node).getBytes());
}

/** Parses exactly one DER element; `trailing: 'ignore'` allows padding after it (a PDF's /Contents). */
export function parseDer(bytes: Uint8Array, trailing: 'reject' | 'ignore' = 'reject'): Asn1 {
  const options = { strict: true, parseAllBytes: trailing === 'reject', decodeBitStrings: false };
  return (asn1.fromDer as unknown as (b: string, o: typeof options) => Asn1)(toBinary(bytes), options);
}

const U = () => asn1.Class.UNIVERSAL;

export const seq = (...items: Asn1[]): Asn1 => asn1.create(U(), asn1.Type.SEQUENCE, true, items);
export const set = (...items: Asn1[]): Asn1 => asn1.create(U(), asn1.Type.SET, true, items);
export const oid = (id: string): Asn1 => asn1.create(U(), asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
export const int = (n: number): Asn1 =>
  asn1.create(U(), asn1.Type.INTEGER, false, asn1.integerToDer(n).getBytes());
export const octets = (bytes: Uint8Array): Asn1 =>
  asn1.create(U(), asn1.Type.OCTETSTRING, false, toBinary(bytes));
export const nullValue = (): Asn1 => asn1.create(U(), asn1.Type.NULL, false, '');
/** A context-specific constructed element: `[n] { … }` (IMPLICIT or EXPLICIT is up to the caller). */
export const tagged = (n: number, ...items: Asn1[]): Asn1 =>
  asn1.create(asn1.Class.CONTEXT_SPECIFIC, n, true, items);

export function children(node: Asn1 | undefined): Asn1[] {
  return node && Array.isArray(node.value) ? (node.value as Asn1[]) : [];
}

export function primitiveBytes(node: Asn1 | undefined): Buffer {
  if (!node || typeof node.value !== 'string') throw new Error('Expected a primitive ASN.1 value');
  return fromBinary(node.value);
}

export function oidOf(node: Asn1 | undefined): string {
  if (!node || node.type !== asn1.Type.OID || typeof node.value !== 'string') {
    throw new Error('Expected an OBJECT IDENTIFIER');
  }
  return asn1.derToOid(node.value);
}

export function isContext(node: Asn1 | undefined, tag: number): boolean {
  return node?.tagClass === asn1.Class.CONTEXT_SPECIFIC && node.type === tag;
}

/** DER `SET OF`: elements sorted by their encodings (X.690 11.6), as signed attributes must be. */
export function derSetOf(items: Asn1[]): Asn1 {
  const sorted = items
    .map((item) => ({ item, bytes: der(item) }))
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  return set(...sorted.map((s) => s.item));
}
