import { describe, expect, it } from 'vitest';
import { hashLinkToken } from '../../../functions/domain/tokens';
import { revokeLink } from '../../../functions/workflow/links';
import { deliverMail, sweepMail } from '../../../functions/workflow/mail';
import type { OutgoingEmail } from '../../../functions/workflow/ports';
import { coordinator, meta, newWorld, patient } from '../../fakes/world';

/** The invite e-mail (issue 11 item 12): cancelled by a revoked link, one valid link however many attempts. */
const tokenOf = (email: OutgoingEmail) => /\/intake\/([A-Za-z0-9_-]{43})/.exec(email.text)?.[1] as string;

describe('an unsent invite e-mail after the link is revoked', () => {
  it('is cancelled, never sent — not by the stream mailer, not by a later sweep', async () => {
    const w = await newWorld();
    const inv = await w.invited({ sendEmail: true });
    const mail = await w.store.getMail('demo', inv.consentId, 'invite');
    if (!mail) throw new Error('no invite mail');
    await revokeLink(w.deps, coordinator, inv.consentId, meta);
    expect(await deliverMail(w.mailDeps, mail)).toBe('skipped');
    w.clock.advance(60 * 60_000);
    expect(await sweepMail(w.mailDeps)).toEqual({ sent: 0, failed: 0, skipped: 0 });
    expect(w.sender.to(patient.email)).toEqual([]);
    expect(await w.store.getMail('demo', inv.consentId, 'invite')).toMatchObject({
      status: 'cancelled',
      cancelReason: 'link_revoked',
    });
    // Only the coordinator's hand-over link ever existed, and it is withdrawn.
    expect(w.store.linksOf('demo', inv.consentId).map((l) => l.channel)).toEqual(['handover']);
  });

  it('a failed invite, then revoked: the retry does not go out either', async () => {
    const w = await newWorld();
    const inv = await w.invited({ sendEmail: true });
    const mail = await w.store.getMail('demo', inv.consentId, 'invite');
    if (!mail) throw new Error('no invite mail');
    w.sender.failNext(1);
    expect(await deliverMail(w.mailDeps, mail)).toBe('failed');
    await revokeLink(w.deps, coordinator, inv.consentId, meta);
    w.clock.advance(60 * 60_000);
    await sweepMail(w.mailDeps);
    expect(w.sender.to(patient.email)).toEqual([]);
    expect((await w.store.getMail('demo', inv.consentId, 'invite'))?.status).toBe('cancelled');
  });
});

describe('failed invite-e-mail retries', () => {
  it('mint one valid link per e-mail, however many attempts: each retry withdraws the last attempt’s link', async () => {
    const w = await newWorld();
    const inv = await w.invited({ sendEmail: true });
    const mail = await w.store.getMail('demo', inv.consentId, 'invite');
    if (!mail) throw new Error('no invite mail');
    // SES "times out" after receiving each of the first three attempts: every e-mail is seen, none accepted.
    const attempted: OutgoingEmail[] = [];
    let failures = 3;
    const sender = {
      send: async (email: OutgoingEmail) => {
        attempted.push(email);
        if (failures-- > 0) throw Object.assign(new Error('timeout'), { name: 'TimeoutError' });
        return { messageId: 'ok' };
      },
    };
    const deps = { ...w.mailDeps, sender };
    for (let i = 0; i < 4; i++) {
      await deliverMail(deps, mail);
      w.clock.advance(20 * 60_000);
    }
    expect(attempted).toHaveLength(4);
    expect((await w.store.getMail('demo', inv.consentId, 'invite'))?.status).toBe('sent');
    const tokens = attempted.map(tokenOf);
    expect(new Set(tokens).size).toBe(4);
    const emailLinks = w.store.linksOf('demo', inv.consentId).filter((l) => l.channel === 'email');
    expect(emailLinks.map((l) => l.tokenHash)).toEqual([hashLinkToken(tokens[3] as string)]);
    for (const t of tokens.slice(0, 3)) await expect(w.open(t)).rejects.toMatchObject({ status: 404 });
    await expect(w.open(tokens[3] as string)).resolves.toMatchObject({
      consent: { consentId: inv.consentId },
    });
  });
});
