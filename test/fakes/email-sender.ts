import type { EmailSender, OutgoingEmail } from '../../functions/workflow/ports';

/**
 * The EmailSender port in memory: every accepted e-mail is kept in `sent`, in order. `failNext(n, name)`
 * makes the next n sends reject with an error of that class (as an SES timeout or throttle would).
 */
export class MemoryEmailSender implements EmailSender {
  readonly sent: OutgoingEmail[] = [];
  private failures: string[] = [];
  private counter = 0;

  failNext(times = 1, name = 'TimeoutError'): void {
    for (let i = 0; i < times; i++) this.failures.push(name);
  }

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const failure = this.failures.shift();
    if (failure) throw Object.assign(new Error(`simulated ${failure}`), { name: failure });
    this.sent.push(structuredClone(email));
    this.counter += 1;
    return { messageId: `memory-${this.counter}` };
  }

  /** The e-mails sent to one address. */
  to(address: string): OutgoingEmail[] {
    return this.sent.filter((e) => e.to === address);
  }
}
