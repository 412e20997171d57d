import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import * as mupdf from 'mupdf';
import forge from 'node-forge';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { KmsSealSigner } from '../../functions/adapters/kms-seal-signer';
import { loadConfig, sealSettings } from '../../functions/config';
import { renderConsentPdf } from '../../functions/documents/pdf/render-consent';
import {
  certificateRequest,
  dictionaryText,
  generateLocalSealIdentity,
  type LocalSealIdentity,
  LocalSealSigner,
  parseCertificateChain,
  publicKeyPemOf,
  sealPdf,
  selfSignedCertificate,
  verifySeal,
} from '../../functions/documents/seal';
import { signDigestWith } from '../../functions/documents/seal/local-signer';
import { sampleConsentDocument } from '../fixtures/consent-document';

/** The PAdES seal: its CMS, its signature dictionary, what viewers and parsers make of it, and tampering. */
const details = {
  reason: 'Consent 01JQ8Z5K6M2N3P4Q5R6S7T8V9W: countersigned by the clinic, sealed against any change',
  location: 'عيادة ديمو للتجميل، جميرا',
  contactInfo: 'Check this document at https://consents.example.test/verify',
  signingTime: new Date('2026-11-21T10:00:00Z'),
};

let identity: LocalSealIdentity;
let signer: LocalSealSigner;
let original: Uint8Array;
let sealed: Uint8Array;

/** A small multi-page PDF saved the way the renderer saves (object streams), standing in for a consent. */
async function samplePdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const text of ['Consent: page one', 'Audit trail: page two']) {
    doc.addPage([595.28, 841.89]).drawText(text, { x: 40, y: 780, size: 14, font });
  }
  doc.setTitle('Consent 01JQ8Z5K6M2N3P4Q5R6S7T8V9W');
  return doc.save({ useObjectStreams: true });
}

/** The /ByteRange numbers and the CMS bytes of a sealed file, read the plain way. */
function signatureParts(pdf: Uint8Array) {
  const text = Buffer.from(pdf).toString('latin1');
  const m = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(text);
  if (!m) throw new Error('no /ByteRange');
  const [a, b, c, d] = m.slice(1).map(Number) as [number, number, number, number];
  const signed = Buffer.concat([Buffer.from(pdf.subarray(a, a + b)), Buffer.from(pdf.subarray(c, c + d))]);
  return { range: [a, b, c, d], signed, cms: Buffer.from(text.slice(b + 1, c - 1), 'hex') };
}

const flip = (pdf: Uint8Array, at: number) => {
  const copy = Buffer.from(pdf);
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
};

beforeAll(async () => {
  identity = await generateLocalSealIdentity({
    commonName: 'Demo Aesthetics Clinic consent seal',
    country: 'AE',
  });
  signer = new LocalSealSigner(identity.keyPem, identity.certificatePem);
  original = await samplePdf();
  sealed = await sealPdf(original, signer, details);
});

describe('the local seal identity', () => {
  it('is an RSA-2048 key with a self-signed, end-entity, document-signing certificate for it', () => {
    const cert = new X509Certificate(identity.certificatePem);
    expect(cert.subject).toContain('CN=Demo Aesthetics Clinic consent seal');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    // The certificate certifies exactly this key.
    expect(publicKeyPemOf(identity.certificatePem)).toBe(
      createPublicKey(createPrivateKey(identity.keyPem)).export({ type: 'spki', format: 'pem' }),
    );
    const forgeCert = forge.pki.certificateFromPem(identity.certificatePem);
    expect(forgeCert.getExtension('keyUsage')).toMatchObject({
      digitalSignature: true,
      nonRepudiation: true,
    });
    expect(new Date(cert.validTo).getTime() - Date.now()).toBeGreaterThan(9 * 365 * 24 * 3600_000);
  });
});

describe('sealPdf', () => {
  it('adds a standard signature dictionary (Type /Sig, Adobe.PPKLite, ETSI.CAdES.detached) that MuPDF reads', () => {
    const doc = new mupdf.PDFDocument(sealed);
    expect(doc.wasRepaired()).toBe(false);
    expect(doc.countPages()).toBe(2);
    expect(doc.countVersions()).toBe(1);
    const widgets = doc.loadPage(0).getWidgets();
    expect(widgets.map((w) => w.getFieldType())).toEqual(['signature']);
    const v = widgets[0]?.getObject().get('V');
    expect(String(v?.get('Type'))).toBe('/Sig');
    expect(String(v?.get('Filter'))).toBe('/Adobe.PPKLite');
    expect(String(v?.get('SubFilter'))).toBe('/ETSI.CAdES.detached');
    expect(String(v?.get('M'))).toBe('(D:20261121100000Z)');
    expect(v?.get('Name').asString()).toBe('Demo Aesthetics Clinic consent seal');
    expect(v?.get('Reason').asString()).toContain('countersigned by the clinic');
    expect(v?.get('Location').asString()).toBe('عيادة ديمو للتجميل، جميرا'); // UTF-16: any script
    expect(v?.get('ContactInfo').asString()).toContain('/verify');
    const range = signatureParts(sealed).range;
    expect(String(v?.get('ByteRange'))).toBe(`[${range.join(' ')}]`);
    expect(v?.get('Contents').isString()).toBe(true);
    const acroForm = doc.getTrailer().get('Root').get('AcroForm');
    expect(acroForm.get('SigFlags').asNumber()).toBe(3); // SignaturesExist | AppendOnly
    // Still a readable document: MuPDF extracts the text of every page.
    expect(doc.loadPage(1).toStructuredText('preserve-whitespace').asText()).toContain(
      'Audit trail: page two',
    );
  });

  it('signs every byte but /Contents: the /ByteRange covers the whole file around exactly that hex string', () => {
    const { range } = signatureParts(sealed);
    const [a, b, c, d] = range as [number, number, number, number];
    expect(a).toBe(0);
    expect(c + d).toBe(sealed.length);
    expect(String.fromCharCode(sealed[b] ?? 0, sealed[c - 1] ?? 0)).toBe('<>');
  });

  it('embeds a detached CMS that node-forge parses: our certificate, SHA-256, digest of the range, signing-certificate-v2', () => {
    const { signed, cms } = signatureParts(sealed);
    const p7 = forge.pkcs7.messageFromAsn1(
      forge.asn1.fromDer(cms.toString('binary'), { parseAllBytes: false } as unknown as boolean),
    ) as forge.pkcs7.PkcsSignedData & { rawCapture: Record<string, unknown> };
    expect(p7.certificates).toHaveLength(1);
    expect(p7.certificates[0]?.subject.getField('CN').value).toBe('Demo Aesthetics Clinic consent seal');
    const raw = p7.rawCapture as {
      digestAlgorithm: string;
      authenticatedAttributes: forge.asn1.Asn1[];
      signature: string;
    };
    expect(forge.asn1.derToOid(raw.digestAlgorithm)).toBe(forge.pki.oids.sha256);
    const attrs = new Map(
      raw.authenticatedAttributes.map((attr) => {
        const [type, values] = attr.value as [forge.asn1.Asn1, forge.asn1.Asn1];
        return [forge.asn1.derToOid(type.value as string), (values.value as forge.asn1.Asn1[])[0]];
      }),
    );
    expect([...attrs.keys()].sort()).toEqual(
      ['1.2.840.113549.1.9.16.2.47', forge.pki.oids.contentType, forge.pki.oids.messageDigest].sort(),
    );
    expect(attrs.has(forge.pki.oids.signingTime as string)).toBe(false); // PAdES: the time is the dictionary's /M
    const digest = Buffer.from(attrs.get(forge.pki.oids.messageDigest as string)?.value as string, 'binary');
    expect(digest.equals(createHash('sha256').update(signed).digest())).toBe(true);
    // The signature over the DER SET of the attributes verifies with the certificate's key (forge's RSA).
    const set = forge.asn1.create(
      forge.asn1.Class.UNIVERSAL,
      forge.asn1.Type.SET,
      true,
      raw.authenticatedAttributes,
    );
    const md = forge.md.sha256.create().update(forge.asn1.toDer(set).getBytes());
    const publicKey = p7.certificates[0]?.publicKey as forge.pki.rsa.PublicKey;
    expect(publicKey.verify(md.digest().getBytes(), raw.signature)).toBe(true);
  });

  it('is deterministic for the same input and time (PKCS#1 v1.5)', async () => {
    const again = await sealPdf(original, signer, details);
    expect(Buffer.from(again).equals(Buffer.from(sealed))).toBe(true);
    expect(sealed.length - original.length).toBeLessThan(8 * 1024);
  });

  it('reserves exactly the room the CMS needs in /Contents', () => {
    const { cms } = signatureParts(sealed);
    const der = forge.asn1.fromDer(cms.toString('binary'), { parseAllBytes: false } as unknown as boolean);
    const used = forge.asn1.toDer(der).length();
    expect(cms.length - used).toBeLessThanOrEqual(8);
    expect(cms.subarray(used).every((b) => b === 0)).toBe(true);
  });

  it('seals a real consent (the final version from the renderer): same pages and text, about 4.5 KB more', async () => {
    const rendered = await renderConsentPdf(sampleConsentDocument());
    const out = await sealPdf(rendered, signer, details);
    expect(verifySeal(out)).toMatchObject({ present: true, intact: true });
    expect(out.length - rendered.length).toBeLessThan(6 * 1024);
    const before = new mupdf.PDFDocument(rendered);
    const after = new mupdf.PDFDocument(out);
    expect(after.wasRepaired()).toBe(false);
    expect(after.countPages()).toBe(before.countPages());
    for (let i = 0; i < before.countPages(); i++) {
      const text = (d: mupdf.PDFDocument) => d.loadPage(i).toStructuredText('preserve-whitespace').asText();
      expect(text(after), `page ${i + 1}`).toBe(text(before));
    }
  }, 60_000);

  it('refuses to return a seal that does not verify (a key that does not match the certificate)', async () => {
    const other = await generateLocalSealIdentity();
    const mismatched = new LocalSealSigner(other.keyPem, identity.certificatePem);
    await expect(sealPdf(original, mismatched, details)).rejects.toThrow(/does not verify/);
  });

  it('keeps dictionary text to one bounded line (any script, no control characters)', () => {
    expect(dictionaryText('عيادة (Dubai)\r\nInjected: x', 'fallback')).toBe('عيادة (Dubai) Injected: x');
    expect(dictionaryText(' \u0000 ', 'Seal')).toBe('Seal');
    expect(dictionaryText('x'.repeat(500), 'Seal')).toHaveLength(200);
  });
});

describe('verifySeal', () => {
  it('reports an intact seal with the signer CN and the sealing time', () => {
    expect(verifySeal(sealed)).toEqual({
      present: true,
      intact: true,
      signer: 'Demo Aesthetics Clinic consent seal',
      signedAt: '2026-11-21T10:00:00.000Z',
      subFilter: 'ETSI.CAdES.detached',
      signerKeySha256: createHash('sha256')
        .update(
          new X509Certificate(identity.certificatePem).publicKey.export({ type: 'spki', format: 'der' }),
        )
        .digest('hex'),
    });
  });

  it('reports no seal on an unsealed PDF', () => {
    expect(verifySeal(original)).toEqual({ present: false, intact: false });
  });

  it('breaks when any byte changes: every byte of /Contents (CMS and padding), /ByteRange, and samples of the rest', () => {
    const [, b, c] = signatureParts(sealed).range as [number, number, number, number];
    const byteRangeAt = Buffer.from(sealed).toString('latin1').indexOf('/ByteRange');
    const positions = [0, 9, Math.floor(b / 2), b - 1, c, sealed.length - 3];
    for (let at = b; at < c; at++) positions.push(at); // the one unsigned part: each byte, one by one
    for (let at = byteRangeAt; at < byteRangeAt + 40; at++) positions.push(at);
    for (let i = 0; i < 50; i++) positions.push(Math.floor(((i + 0.5) / 50) * sealed.length));
    for (const at of positions) {
      const check = verifySeal(flip(sealed, at));
      expect(check.intact, `byte ${at}`).toBe(false);
    }
  });

  it('does not count bytes appended after the seal (an incremental update) as sealed', () => {
    const appended = Buffer.concat([
      Buffer.from(sealed),
      Buffer.from('\n1 0 obj\n<< /Evil true >>\nendobj\n%%EOF\n'),
    ]);
    expect(verifySeal(appended)).toMatchObject({ present: true, intact: false });
  });

  it('survives garbage without throwing', () => {
    const garbage = Buffer.from('%PDF-1.7\n/ByteRange [0 10 20 5] <zz> /Contents <00>\n%%EOF');
    expect(verifySeal(garbage)).toMatchObject({ present: true, intact: false });
    const huge = Buffer.from(`%PDF-1.7\n/ByteRange [0 1 3 0]\n<${'30'.repeat(50_000)}>`);
    expect(verifySeal(huge).intact).toBe(false);
  });

  // Poppler's pdfsig judges a real final PDF in test/integration/pdfsig.test.ts (installed with apt there).
});

describe('the KMS signer', () => {
  it('asks KMS to sign the digest (MessageType DIGEST, PKCS#1 v1.5 SHA-256) and the result verifies', async () => {
    const kms = mockClient(KMSClient);
    const key = createPrivateKey(identity.keyPem);
    kms
      .on(SignCommand)
      .callsFake(async (input) => ({ Signature: signDigestWith(key, input.Message as Uint8Array) }));
    const kmsSigner = new KmsSealSigner(
      new KMSClient({ region: 'me-central-1' }),
      'arn:aws:kms:me-central-1:1:key/seal',
      identity.certificatePem,
    );
    const out = await sealPdf(original, kmsSigner, details);
    expect(verifySeal(out)).toMatchObject({ present: true, intact: true });
    const calls = kms.commandCalls(SignCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toMatchObject({
      KeyId: 'arn:aws:kms:me-central-1:1:key/seal',
      MessageType: 'DIGEST',
      SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256',
    });
    expect((calls[0]?.args[0].input.Message as Uint8Array | undefined)?.length).toBe(32);
    kms.restore();
  });

  it('turns KMS throttling into a 503 the doctor can retry; other KMS errors stay errors', async () => {
    const kms = mockClient(KMSClient);
    const kmsSigner = new KmsSealSigner(
      new KMSClient({ region: 'me-central-1' }),
      'k',
      identity.certificatePem,
    );
    kms.on(SignCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    await expect(sealPdf(original, kmsSigner, details)).rejects.toMatchObject({
      status: 503,
      code: 'service_unavailable',
    });
    kms.reset();
    kms.on(SignCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(sealPdf(original, kmsSigner, details)).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    kms.restore();
  });

  it('bootstraps a certificate for a key it cannot see: self-signed or as a request for a CA', async () => {
    const key = createPrivateKey(identity.keyPem);
    const publicKeyPem = publicKeyPemOf(identity.certificatePem);
    const signDigest = async (digest: Uint8Array) => signDigestWith(key, digest);
    const subject = {
      commonName: 'Example Clinic consent seal',
      organization: 'Example Clinic',
      country: 'AE',
    };
    const pem = await selfSignedCertificate({
      publicKeyPem,
      subject,
      signDigest,
      notBefore: new Date(),
      validYears: 10,
    });
    const cert = new X509Certificate(pem);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.subject.split('\n')).toEqual(['C=AE', 'O=Example Clinic', 'CN=Example Clinic consent seal']);
    expect(parseCertificateChain(pem).commonName).toBe('Example Clinic consent seal');
    const csr = forge.pki.certificationRequestFromPem(
      await certificateRequest({ publicKeyPem, subject, signDigest }),
    );
    expect(csr.verify()).toBe(true);
    expect(csr.subject.getField('CN').value).toBe('Example Clinic consent seal');
  });
});

describe('seal configuration', () => {
  const base = {
    TABLE_NAME: 'consents',
    APP_URL: 'https://consents.example.test',
    MAIL_FROM: 'consents@example.test',
    JWT_ISSUER: 'https://issuer.example.test',
    JWT_AUDIENCE: 'aud',
    JWT_PUBLIC_JWK: '{}',
  };
  const settings = (env: Record<string, string>) => sealSettings(loadConfig({ ...base, ...env }));

  it('must be chosen explicitly; off only when said so', () => {
    expect(() => settings({})).toThrow(/SEAL_MODE must be set/);
    expect(settings({ SEAL_MODE: 'off' })).toEqual({ mode: 'off' });
    expect(() => loadConfig({ ...base, SEAL_MODE: 'none' })).toThrow(/SEAL_MODE/);
  });

  it('names what kms and local are missing', () => {
    expect(() => settings({ SEAL_MODE: 'kms' })).toThrow(/SEAL_KMS_KEY_ID/);
    expect(() => settings({ SEAL_MODE: 'kms', SEAL_KMS_KEY_ID: 'k' })).toThrow(/SEAL_CERT_PEM/);
    expect(settings({ SEAL_MODE: 'kms', SEAL_KMS_KEY_ID: 'k', SEAL_CERT_PEM: 'pem' })).toMatchObject({
      mode: 'kms',
    });
    expect(() => settings({ SEAL_MODE: 'local' })).toThrow(/SEAL_KEY_PEM/);
    expect(settings({ SEAL_MODE: 'local', SEAL_KEY_FILE: '.data/seal-key.json' })).toEqual({
      mode: 'local',
      keyFile: '.data/seal-key.json',
    });
  });
});
