import { join } from 'node:path';

// Before any AWS SDK module loads: the SDK warns about Node 20 at import time.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// Request logs are JSON lines for CloudWatch; in a terminal only warnings are shown unless asked.
process.env.LOG_LEVEL ??= 'WARN';
const { StackStartError } = await import('./dynamodb-local');
const { REPO_ROOT, startLocalStack } = await import('./stack');
const { writePrivateFile } = await import('./private-files');

/**
 * `npm start`: the whole product on 127.0.0.1 with a seeded demo clinic. Ctrl-C stops it all;
 * data stays under .data/ so the next start finds every record.
 */
const env = process.env;
const port = Number(env.PORT ?? 3000);
const dynamoPort = Number(env.DYNAMODB_PORT ?? 8000);
const sesPort = Number(env.SES_PORT ?? 8005);
const dataDir = env.DATA_DIR ?? join(REPO_ROOT, '.data');

async function main() {
  const stack = await startLocalStack({ port, dynamoPort, sesPort, dataDir, log: (l) => console.error(l) });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the local stack…`);
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  // A ready patient link for the demo, made through the real API as the coordinator would.
  const login = async (email: string, role: string) => {
    const r = await fetch(`${stack.appUrl}/local/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, role }),
    });
    return ((await r.json()) as { token: string }).token;
  };
  const coordinatorToken = await login('coordinator@demo-clinic.example.test', 'coordinator');
  const doctorToken = await login('doctor@demo-clinic.example.test', 'doctor');
  const invite = (await (
    await fetch(`${stack.appUrl}/clinic/invites`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${coordinatorToken}` },
      body: JSON.stringify({
        patient: {
          fullName: 'Layla Haddad',
          email: 'layla@example.test',
          phone: '+971 50 000 0001',
          locale: 'en',
        },
        treatmentId: 'mesotherapy',
        branchId: 'jumeirah',
      }),
    })
  ).json()) as { intakeUrl: string; consentId: string };
  const demoToken = invite.intakeUrl.split('/').pop();
  // Valid staff tokens: readable by the owner only (0600), like everything under the data folder.
  writePrivateFile(
    join(dataDir, 'demo.json'),
    JSON.stringify({ demoToken, consentId: invite.consentId, coordinatorToken, doctorToken }, null, 2),
  );

  console.log(`
  Mesotherapy intake & consent — local stack is running

  App (clinic dashboard)  ${stack.appUrl}/clinic
  Mail UI (sent e-mail)   ${stack.sesUrl}
  DynamoDB Local          ${stack.dynamoEndpoint}  (data in ${dataDir})

  Sign in (dashboard, or POST ${stack.appUrl}/local/login):
    coordinator  coordinator@demo-clinic.example.test   role "coordinator"
    doctor       doctor@demo-clinic.example.test        role "doctor"

  A ready patient link (Layla Haddad, English):
    ${invite.intakeUrl}

  Ctrl-C stops everything.
`);
}

main().catch((err) => {
  if (err instanceof StackStartError) console.error(`Cannot start: ${err.message}`);
  else console.error(`Cannot start: ${(err as Error).message ?? err}`);
  process.exit(1);
});
