import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  generateLocalSealIdentity,
  type LocalSealIdentity,
  LocalSealSigner,
  sealPdf,
  selfSignedCertificate,
  verifySeal,
} from '../../../functions/documents/seal';
import { signDigestWith } from '../../../functions/documents/seal/local-signer';
import { countersignConsent } from '../../../functions/workflow/review';
import { verifyPdf } from '../../../functions/workflow/verify';
import { doctor, meta, newWorld, type World } from '../../fakes/world';

/** `seal.trusted`: an intact seal made with this deployment's certificate, not merely one with its name. */
const CN = 'Demo Aesthetics Clinic consent seal';
const contactInfo = 'Check this document at https://consents.example.test/verify';
const details = { reason: 'Consent: countersigned', location: 'Demo, Jumeirah', contactInfo };
/** What the runtime computes from SEAL_CERT_PEM: SHA-256 of the certificate's public key (SPKI DER). */
const fingerprint = (pem: string) =>
  createHash('sha256')
    .update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');

async function pdfSaying(text: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage([595.28, 841.89]).drawText(text, { x: 40, y: 780, size: 14, font });
  return doc.save({ useObjectStreams: true });
}

let ours: LocalSealIdentity;
let attacker: LocalSealIdentity;
let w: World;
let genuine: Uint8Array;
let deps: Parameters<typeof verifyPdf>[0];

beforeAll(async () => {
  ours = await generateLocalSealIdentity({ commonName: CN, country: 'AE' });
  // The forger's own self-signed certificate, under exactly the same name.
  attacker = await generateLocalSealIdentity({ commonName: CN, country: 'AE' });
  w = await newWorld();
  const s = await w.signed();
  const ourSigner = new LocalSealSigner(ours.keyPem, ours.certificatePem);
  await countersignConsent(
    {
      ...w.deps,
      renderPdf: () => pdfSaying('Consent: final version, countersigned'),
      sealPdf: (bytes, d) => sealPdf(bytes, ourSigner, { contactInfo, ...d }),
    },
    doctor,
    s.consentId,
    { signature: { kind: 'typed', name: 'Sara' }, findingNotes: {} },
    meta,
  );
  genuine = (await w.store.getPdf('demo', s.consentId, 2))?.bytes as Uint8Array;
  deps = { ...w.deps, checkSeal: verifySeal, sealKeySha256: fingerprint(ours.certificatePem) };
});

describe('verifyPdf: seal.trusted', () => {
  it("a genuine final PDF: valid, and its seal intact and trusted (this deployment's certificate)", async () => {
    expect(await verifyPdf(deps, genuine)).toMatchObject({
      valid: true,
      kind: 'countersigned',
      seal: { present: true, intact: true, trusted: true, signer: CN },
    });
  });

  it("an altered PDF sealed with a forger's certificate of the same name: intact, but not trusted", async () => {
    const forged = await sealPdf(
      await pdfSaying('Consent: final version, countersigned (and changed)'),
      new LocalSealSigner(attacker.keyPem, attacker.certificatePem),
      details,
    );
    expect(await verifyPdf(deps, forged)).toMatchObject({
      valid: false,
      seal: { present: true, intact: true, trusted: false, signer: CN },
    });
  });

  it('the genuine PDF re-sealed by the forger: the last seal is intact, not trusted (and the file not valid)', async () => {
    const resealed = await sealPdf(
      genuine,
      new LocalSealSigner(attacker.keyPem, attacker.certificatePem),
      details,
    );
    expect(await verifyPdf(deps, resealed)).toMatchObject({
      valid: false,
      seal: { present: true, intact: true, trusted: false, signer: CN },
    });
  });

  it('after a certificate renewal for the same key, PDFs sealed before stay trusted (it is the key that counts)', async () => {
    const key = createPrivateKey(ours.keyPem);
    const renewed = await selfSignedCertificate({
      publicKeyPem: createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString(),
      subject: { commonName: `${CN} (renewed)` },
      signDigest: async (digest) => signDigestWith(key, digest),
      notBefore: new Date(),
      validYears: 1,
    });
    expect(renewed).not.toBe(ours.certificatePem);
    const afterRenewal = { ...deps, sealKeySha256: fingerprint(renewed) };
    expect((await verifyPdf(afterRenewal, genuine)).seal).toMatchObject({ intact: true, trusted: true });
  });

  it('a broken seal is never trusted, and without a configured certificate nothing is', async () => {
    const broken = Buffer.from(genuine);
    const at = broken.length - 40; // inside the signed range (the trailer)
    broken[at] = (broken[at] ?? 0) ^ 0x01;
    expect((await verifyPdf(deps, broken)).seal).toMatchObject({ intact: false, trusted: false });
    const unconfigured = { ...deps, sealKeySha256: undefined };
    expect((await verifyPdf(unconfigured, genuine)).seal).toMatchObject({ intact: true, trusted: false });
  });
});
