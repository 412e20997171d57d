import { createHash, verify, X509Certificate } from 'node:crypto';
import { parseCertificateChain, type SealCertificate, sameIssuerAndSerial } from './certificate';
import { parseCms } from './cms';
import { type Asn1, asn1, children, OID, oidOf, primitiveBytes } from './der';

/** The seal check's answer: whether there is a seal, and whether every byte it covers is unchanged. */
export interface SealCheck {
  present: boolean;
  intact: boolean;
  /** The signing certificate's subject common name (anyone can put any name in a certificate). */
  signer?: string;
  /**
   * SHA-256 (hex) of the signing certificate's public key (SubjectPublicKeyInfo, DER): what /verify compares
   * with this deployment's. The key, not the certificate, so a renewed certificate of the same key still
   * counts, and no certificate of another key ever does, whatever its name.
   */
  signerKeySha256?: string;
  /** When it was sealed (the signature dictionary's /M), ISO 8601. */
  signedAt?: string;
  subFilter?: string;
  /** Why it is not intact (for logs and tests; never shown to a caller with patient context). */
  problem?: string;
}

const DIGESTS: Record<string, string> = {
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};
const RSA_SIGNATURES: string[] = [OID.rsaEncryption, OID.sha256WithRSAEncryption];
const EC_SIGNATURES: string[] = [OID.ecdsaWithSha256];
const BYTE_RANGE = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;

class SealProblem extends Error {}
const fail = (why: string): never => {
  throw new SealProblem(why);
};

/** "D:20261121100000Z" / "D:20261121140000+04'00'" → ISO 8601. */
export function parsePdfDate(value: string): string | undefined {
  const m = /^D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(Z|[+-]\d{2}'?\d{2}'?)?/.exec(value);
  if (!m) return undefined;
  const zone = !m[7] || m[7] === 'Z' ? 'Z' : `${m[7].slice(0, 3)}:${m[7].replace(/'/g, '').slice(3, 5)}`;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${zone}`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The text of the PDF object around `at` (the signature dictionary holding the /ByteRange). */
function enclosingObject(text: string, at: number): string {
  const start = text.lastIndexOf(' obj', at);
  const end = text.indexOf('endobj', at);
  return text.slice(start < 0 ? Math.max(0, at - 4096) : start, end < 0 ? at + 4096 : end);
}

function dictionaryString(dict: string, key: string): string | undefined {
  return new RegExp(`/${key}\\s*\\(([^)]*)\\)`).exec(dict)?.[1];
}

/**
 * Checks the last signature of a PDF: its /ByteRange must cover the whole file except exactly the /Contents
 * hex string; the CMS in /Contents must hold a message digest equal to the digest of those bytes and a
 * signature over its signed attributes that the embedded certificate's key verifies. Whether the
 * certificate is this deployment's is a separate question (/verify compares `signerKeySha256` with the key of
 * the configured seal certificate: `seal.trusted`); this says whether the sealed bytes are unchanged.
 */
export function verifySeal(pdf: Uint8Array): SealCheck {
  const bytes = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  const text = bytes.toString('latin1');
  const ranges = [...text.matchAll(BYTE_RANGE)];
  const last = ranges.at(-1);
  if (!last || last.index === undefined) return { present: false, intact: false };
  const dict = enclosingObject(text, last.index);
  const signedAt = parsePdfDate(dictionaryString(dict, 'M') ?? '');
  const subFilter = /\/SubFilter\s*\/([A-Za-z0-9.]+)/.exec(dict)?.[1];
  const base: SealCheck = {
    present: true,
    intact: false,
    ...(signedAt ? { signedAt } : {}),
    ...(subFilter ? { subFilter } : {}),
  };
  try {
    const [a, b, c, d] = last.slice(1, 5).map(Number) as [number, number, number, number];
    if (a !== 0 || b <= 0 || c <= b || c + d !== bytes.length)
      fail('the signed range does not cover the whole file');
    if (bytes[b] !== 0x3c || bytes[c - 1] !== 0x3e)
      fail('the signed range does not exclude exactly /Contents');
    const hex = text.slice(b + 1, c - 1);
    if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) fail('/Contents is not a hex string');
    const contents = Buffer.from(hex, 'hex');
    const cms = parseCms(contents);
    // /Contents is the one part outside the signed range: beyond the CMS it may hold only zero padding.
    if (contents.subarray(cms.length).some((byte) => byte !== 0))
      fail('/Contents holds data after the signature');
    const signed = Buffer.concat([bytes.subarray(a, a + b), bytes.subarray(c, c + d)]);

    const certs = cms.certificates.map((der) => parseCertificateChain(pem(der)));
    // The signer is named by issuer and serial; it must be one of the embedded certificates.
    const cert: SealCertificate | undefined = certs.find((x) =>
      sameIssuerAndSerial(x, cms.signerIssuer, cms.signerSerial),
    );
    if (!cert) return fail('the signing certificate is not embedded');
    const key = new X509Certificate(cert.der).publicKey;
    const signerKeySha256 = createHash('sha256')
      .update(key.export({ type: 'spki', format: 'der' }))
      .digest('hex');
    const result = { ...base, signer: cert.commonName, signerKeySha256 };

    const hash = DIGESTS[cms.digestAlgorithm] ?? fail(`unsupported digest ${cms.digestAlgorithm}`);
    const digest = createHash(hash).update(signed).digest();
    const messageDigest = cms.attributes.get(OID.messageDigest)?.[0];
    if (!messageDigest || !primitiveBytes(messageDigest).equals(digest)) {
      return { ...result, problem: 'the document bytes do not match the sealed digest' };
    }
    const essCert = cms.attributes.get(OID.signingCertificateV2)?.[0];
    if (essCert && !essCertMatches(essCert, cert)) {
      return { ...result, problem: 'the signing certificate reference does not match' };
    }
    const expected = cert.keyType === 'rsa' ? RSA_SIGNATURES : EC_SIGNATURES;
    if (!expected.includes(cms.signatureAlgorithm)) {
      return { ...result, problem: 'the signature algorithm does not fit the certificate' };
    }
    const ok = verify(hash, cms.signedAttributesDer, key, cms.signature);
    if (!ok) return { ...result, problem: 'the signature does not verify with the embedded certificate' };
    return { ...result, intact: true };
  } catch (err) {
    return { ...base, problem: err instanceof SealProblem ? err.message : 'the seal could not be read' };
  }
}

/** SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, … }; the first names the signer. */
function essCertMatches(attribute: Asn1, cert: SealCertificate): boolean {
  const first = children(children(attribute)[0])[0];
  const [algorithmOrHash, maybeHash] = children(first);
  const hasAlgorithm = algorithmOrHash?.type === asn1.Type.SEQUENCE;
  const algorithm = hasAlgorithm ? oidOf(children(algorithmOrHash)[0]) : OID.sha256;
  const name = DIGESTS[algorithm];
  const certHash = hasAlgorithm ? maybeHash : algorithmOrHash;
  if (!name || !certHash) return false;
  return primitiveBytes(certHash).equals(createHash(name).update(cert.der).digest());
}

function pem(der: Buffer): string {
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64')}\n-----END CERTIFICATE-----`;
}
