import { createHash } from 'node:crypto';
import type { PdfSealSigner } from '../../workflow/ports';
import { parseCertificateChain, type SealCertificate } from './certificate';
import {
  type Asn1,
  asn1,
  children,
  der,
  derSetOf,
  int,
  isContext,
  nullValue,
  OID,
  octets,
  oid,
  oidOf,
  parseDer,
  primitiveBytes,
  seq,
  set,
  tagged,
} from './der';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();

function signatureAlgorithm(cert: SealCertificate): Asn1 {
  return cert.keyType === 'rsa'
    ? seq(oid(OID.sha256WithRSAEncryption), nullValue())
    : seq(oid(OID.ecdsaWithSha256));
}

function attribute(type: string, value: Asn1): Asn1 {
  return seq(oid(type), set(value));
}

/**
 * The signed attributes of a PAdES baseline (B-B) signature: content type, message digest and the
 * signing-certificate-v2 reference. No signing-time attribute: PAdES takes the time from the signature
 * dictionary's /M (ETSI EN 319 142-1, 5.1).
 */
function signedAttributes(contentDigest: Uint8Array, cert: SealCertificate): Asn1 {
  const essCertIdV2 = seq(
    // hashAlgorithm omitted: SHA-256 is the DEFAULT (RFC 5035).
    octets(cert.sha256),
    // IssuerSerial ::= SEQUENCE { issuer GeneralNames (directoryName [4]), serialNumber }
    seq(seq(tagged(4, cert.issuer)), cert.serial),
  );
  return derSetOf([
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.messageDigest, octets(contentDigest)),
    attribute(OID.signingCertificateV2, seq(seq(essCertIdV2))),
  ]);
}

/**
 * A detached CMS SignedData (RFC 5652) over `content` — the PDF's /ByteRange bytes — signed by `signer`:
 * exactly what /SubFilter /ETSI.CAdES.detached expects in /Contents.
 */
export async function detachedCms(content: Uint8Array, signer: PdfSealSigner): Promise<Buffer> {
  const cert = parseCertificateChain(signer.certificatePem);
  const attrs = signedAttributes(sha256(content), cert);
  // The signature covers the DER of the attributes as a SET (tag 0x31), not as the [0] stored below.
  const signature = await signer.signDigest(sha256(der(attrs)));
  const signerInfo = seq(
    int(1),
    seq(cert.issuer, cert.serial),
    seq(oid(OID.sha256)),
    tagged(0, ...children(attrs)),
    signatureAlgorithm(cert),
    octets(signature),
  );
  const signedData = seq(
    int(1),
    set(seq(oid(OID.sha256))),
    seq(oid(OID.data)), // detached: no eContent
    tagged(0, ...[cert.der, ...cert.chain].map((c) => parseDer(c))),
    set(signerInfo),
  );
  const contentInfo = seq(oid(OID.signedData), tagged(0, signedData));
  const out = der(contentInfo);
  // The certificates went through a parse/encode round trip: it must not have changed a byte of them.
  if (!out.includes(cert.der)) throw new Error('The seal certificate did not survive DER re-encoding.');
  return out;
}

/**
 * The exact size of the CMS `detachedCms` will make for this signer: everything in it has a fixed length
 * but the signature, which is at most the RSA modulus (or 72 bytes of DER for ECDSA P-256). So /Contents
 * can reserve exactly that, and no hex digit is wasted.
 */
export async function cmsLength(signer: PdfSealSigner): Promise<number> {
  const cert = parseCertificateChain(signer.certificatePem);
  const longest = cert.keyType === 'rsa' ? Math.ceil((cert.modulusBits ?? 4096) / 8) : 72;
  const probe = await detachedCms(new Uint8Array(0), {
    certificatePem: signer.certificatePem,
    signDigest: async () => new Uint8Array(longest).fill(0xff),
  });
  return probe.length;
}

/** What a CMS SignedData says about its first signer, as read back by the verifier. */
export interface ParsedCms {
  certificates: Buffer[];
  signerIssuer?: Asn1;
  signerSerial?: Asn1;
  digestAlgorithm: string;
  /** DER of the signed attributes as a SET: the bytes the signature covers. */
  signedAttributesDer: Buffer;
  attributes: Map<string, Asn1[]>;
  signatureAlgorithm: string;
  signature: Buffer;
  /** Length of the CMS itself; what follows it in /Contents is padding. */
  length: number;
}

function expect(node: Asn1 | undefined, type: number, what: string): Asn1 {
  if (!node || node.tagClass !== asn1.Class.UNIVERSAL || node.type !== type)
    throw new Error(`Malformed CMS: ${what}`);
  return node;
}

/** DER has no end-of-contents markers (tag 0): a length stretched over zero padding would show them. */
function rejectEndOfContents(node: Asn1): void {
  if (node.tagClass === asn1.Class.UNIVERSAL && node.type === 0) throw new Error('Malformed CMS: not DER');
  for (const child of children(node)) rejectEndOfContents(child);
}

/** AlgorithmIdentifier: an OID with absent or NULL parameters (all the algorithms a seal uses). */
function algorithmOid(node: Asn1 | undefined, what: string): string {
  const [id, params, ...rest] = children(expect(node, asn1.Type.SEQUENCE, what));
  if (
    rest.length ||
    (params && (params.tagClass !== asn1.Class.UNIVERSAL || params.type !== asn1.Type.NULL))
  ) {
    throw new Error(`Malformed CMS: ${what} parameters`);
  }
  return oidOf(id);
}

function expectInt(node: Asn1 | undefined, values: number[], what: string): void {
  const bytes = primitiveBytes(expect(node, asn1.Type.INTEGER, what));
  if (bytes.length !== 1 || !values.includes(bytes[0] as number)) throw new Error(`Malformed CMS: ${what}`);
}

/**
 * Reads a CMS ContentInfo(SignedData) with one signer, strictly: every element has the type RFC 5652 gives
 * it, the encoding is canonical DER, and the fields we do not use otherwise (versions, the digest
 * algorithm list, the content type) hold the only values a PAdES signature may. Throws otherwise.
 */
export function parseCms(bytes: Uint8Array): ParsedCms {
  const contentInfo = expect(parseDer(bytes, 'ignore'), asn1.Type.SEQUENCE, 'ContentInfo');
  const length = der(contentInfo).length;
  if (!Buffer.from(bytes.subarray(0, length)).equals(der(contentInfo)))
    throw new Error('Malformed CMS: not DER');
  rejectEndOfContents(contentInfo);
  if (children(contentInfo).length !== 2) throw new Error('Malformed CMS: ContentInfo');
  const [type, wrapped] = children(contentInfo);
  if (oidOf(type) !== OID.signedData || !isContext(wrapped, 0) || children(wrapped).length !== 1) {
    throw new Error('Not a CMS SignedData');
  }
  const fields = children(expect(children(wrapped)[0], asn1.Type.SEQUENCE, 'SignedData'));
  expectInt(fields[0], [1, 3], 'SignedData version');
  const digestAlgorithms = children(expect(fields[1], asn1.Type.SET, 'digestAlgorithms')).map((a) =>
    algorithmOid(a, 'digestAlgorithm'),
  );
  const encap = children(expect(fields[2], asn1.Type.SEQUENCE, 'encapContentInfo'));
  if (encap.length !== 1 || oidOf(encap[0]) !== OID.data)
    throw new Error('Malformed CMS: not detached id-data');
  const certificates = fields.filter((f) => isContext(f, 0)).flatMap((f) => children(f).map((c) => der(c)));
  const signerInfos = children(expect(fields.at(-1), asn1.Type.SET, 'signerInfos'));
  if (signerInfos.length !== 1) throw new Error('Malformed CMS: expected one signer');
  const parts = children(expect(signerInfos[0], asn1.Type.SEQUENCE, 'SignerInfo'));
  expectInt(parts[0], [1], 'SignerInfo version');
  const [issuer, serial] = children(expect(parts[1], asn1.Type.SEQUENCE, 'IssuerAndSerialNumber'));
  const digestAlgorithm = algorithmOid(parts[2], 'digestAlgorithm');
  if (!digestAlgorithms.includes(digestAlgorithm))
    throw new Error('Malformed CMS: digest algorithm not listed');
  const signedAttrs = parts[3];
  if (!isContext(signedAttrs, 0)) throw new Error('The signature has no signed attributes');
  const attributes = new Map<string, Asn1[]>();
  for (const attr of children(signedAttrs)) {
    const [attrType, values] = children(expect(attr, asn1.Type.SEQUENCE, 'Attribute'));
    attributes.set(oidOf(attrType), children(expect(values, asn1.Type.SET, 'Attribute values')));
  }
  if (parts.length !== 6) throw new Error('Malformed CMS: unexpected SignerInfo fields');
  return {
    certificates,
    signerIssuer: issuer,
    signerSerial: serial,
    digestAlgorithm,
    signedAttributesDer: der(set(...children(signedAttrs))),
    attributes,
    signatureAlgorithm: algorithmOid(parts[4], 'signatureAlgorithm'),
    signature: primitiveBytes(expect(parts[5], asn1.Type.OCTETSTRING, 'signature')),
    length,
  };
}
