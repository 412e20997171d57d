import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { DynamoConsentStore } from '../../functions/adapters/dynamo-store';

/**
 * `npm run clinic:put -- <clinic.json> <TableName>` — creates or updates a clinic's profile
 * (name, branches, archive address) in the deployed table, through the same store the handlers use.
 * Credentials and region come from the usual AWS environment (AWS_PROFILE, AWS_REGION).
 */
export const clinicSchema = z
  .object({
    clinicId: z.string().regex(/^[a-z0-9][a-z0-9-]{1,40}$/),
    name: z.string().min(1).max(120),
    archiveEmail: z.email(),
    defaultBranchId: z.string().min(1),
    branches: z
      .array(
        z
          .object({
            id: z.string().regex(/^[a-z0-9-]{1,40}$/),
            name: z.string().min(1).max(120),
            phone: z.string().min(6).max(30),
            whatsapp: z.string().min(6).max(30),
            timeZone: z.string().refine((tz) => {
              try {
                new Intl.DateTimeFormat('en', { timeZone: tz });
                return true;
              } catch {
                return false;
              }
            }, 'Unknown IANA time zone'),
            address: z.string().max(200).optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict()
  .refine((c) => c.branches.some((b) => b.id === c.defaultBranchId), {
    message: 'defaultBranchId must name one of the branches',
    path: ['defaultBranchId'],
  });

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, table] = process.argv.slice(2);
  if (!file || !table) {
    console.error('usage: npm run clinic:put -- <clinic.json> <TableName>');
    process.exit(2);
  }
  const parsed = clinicSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    console.error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
    process.exit(1);
  }
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: process.env.AWS_REGION ?? 'me-central-1' }),
  );
  await new DynamoConsentStore(client, table).putClinic(parsed.data);
  console.log(`clinic ${parsed.data.clinicId} saved to ${table}`);
}
