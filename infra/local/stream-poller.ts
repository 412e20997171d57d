import { existsSync, readFileSync } from 'node:fs';
import {
  type _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { workers } from '../routes';
import { matchesStreamFilter } from '../stream-filter';
import { loadHandler } from './handlers';
import { lambdaContext } from './lambda-context';
import { writePrivateFile } from './private-files';

/**
 * Stands in for Lambda's DynamoDB event source mapping: reads the table's stream from DynamoDB
 * Local, keeps the records the mapping's filter passes (infra/stream-filter.ts, the same patterns the CDK
 * stack deploys) and calls the same mailer handler with the same record shape, honouring partial batch
 * responses (a failed record is retried, with backoff, before later ones). The position in each
 * shard is checkpointed under .data/, so a restart neither loses nor replays records.
 */
interface ShardState {
  iterator?: string;
  pending: _Record[];
  attempts: number;
  retryAt: number;
}

const BATCH = 10;
const MAX_ATTEMPTS = 10;

export class StreamPoller {
  private readonly client: DynamoDBStreamsClient;
  private readonly shards = new Map<string, ShardState>();
  private checkpoints: Record<string, string> = {};
  private running = false;
  private loop?: Promise<void>;
  private lastDescribe = 0;

  constructor(
    endpoint: string,
    private readonly streamArn: string,
    private readonly checkpointFile: string | null,
    private readonly onError: (message: string) => void = (m) => console.error(m),
  ) {
    this.client = new DynamoDBStreamsClient({
      endpoint,
      region: 'me-central-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    if (checkpointFile && existsSync(checkpointFile)) {
      try {
        this.checkpoints = JSON.parse(readFileSync(checkpointFile, 'utf8'));
      } catch {
        this.checkpoints = {};
      }
    }
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.client.destroy();
  }

  private async describe(): Promise<void> {
    const d = await this.client.send(new DescribeStreamCommand({ StreamArn: this.streamArn }));
    for (const shard of d.StreamDescription?.Shards ?? []) {
      const id = shard.ShardId;
      if (!id || this.shards.has(id)) continue;
      const after = this.checkpoints[id];
      if (!after && shard.SequenceNumberRange?.EndingSequenceNumber && this.checkpoints[`${id}:closed`])
        continue;
      const it = await this.client.send(
        new GetShardIteratorCommand({
          StreamArn: this.streamArn,
          ShardId: id,
          ...(after
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
            : { ShardIteratorType: 'TRIM_HORIZON' }),
        }),
      );
      this.shards.set(id, {
        ...(it.ShardIterator ? { iterator: it.ShardIterator } : {}),
        pending: [],
        attempts: 0,
        retryAt: 0,
      });
    }
  }

  private save(): void {
    if (this.checkpointFile) writePrivateFile(this.checkpointFile, JSON.stringify(this.checkpoints));
  }

  private async run(): Promise<void> {
    while (this.running) {
      let busy = false;
      try {
        if (Date.now() - this.lastDescribe > 2000) {
          await this.describe();
          this.lastDescribe = Date.now();
        }
        for (const [id, state] of this.shards) busy = (await this.pollShard(id, state)) || busy;
      } catch (err) {
        if (this.running) this.onError(`stream poller: ${(err as Error).name}`);
        await sleep(1000);
      }
      if (!busy) await sleep(150);
    }
  }

  /** Returns true when it did work (so the loop polls again at once). */
  private async pollShard(id: string, state: ShardState): Promise<boolean> {
    if (state.pending.length === 0) {
      if (!state.iterator) return false;
      const out = await this.client.send(
        new GetRecordsCommand({ ShardIterator: state.iterator, Limit: 100 }),
      );
      // As Lambda's event source mapping does: only records that pass the mailer's filter reach it.
      const records = out.Records ?? [];
      const kept = records.filter((r) => matchesStreamFilter(toLambdaEvent([r], this.streamArn).Records[0]));
      state.pending.push(...kept);
      if (kept.length === 0 && records.length > 0) this.advance(id, records.at(-1));
      if (out.NextShardIterator) state.iterator = out.NextShardIterator;
      else {
        delete state.iterator;
        this.checkpoints[`${id}:closed`] = '1';
        this.save();
      }
      if (state.pending.length === 0) return false;
    }
    if (Date.now() < state.retryAt) return false;
    const batch = state.pending.slice(0, BATCH);
    const failedFrom = await this.invoke(batch);
    const done = failedFrom === -1 ? batch.length : failedFrom;
    if (failedFrom !== -1) {
      state.attempts++;
      if (state.attempts >= MAX_ATTEMPTS) {
        // Like an on-failure destination: give the record up; the outbox sweeper still has the mail.
        this.onError(
          `stream poller: record dropped after ${MAX_ATTEMPTS} attempts (sequence ${batch[failedFrom]?.dynamodb?.SequenceNumber})`,
        );
        state.attempts = 0;
        state.pending.splice(0, failedFrom + 1);
        this.advance(id, batch[failedFrom]);
        return true;
      }
      state.retryAt = Date.now() + Math.min(30_000, 250 * 2 ** state.attempts);
    } else state.attempts = 0;
    state.pending.splice(0, done);
    if (done > 0) this.advance(id, batch[done - 1]);
    return true;
  }

  private advance(id: string, record: _Record | undefined): void {
    const seq = record?.dynamodb?.SequenceNumber;
    if (seq) {
      this.checkpoints[id] = seq;
      this.save();
    }
  }

  /** Calls the mailer; returns the index of the first failed record, or -1. */
  private async invoke(batch: _Record[]): Promise<number> {
    const event = toLambdaEvent(batch, this.streamArn);
    try {
      const handler = await loadHandler(workers.mailer.entry);
      const result = (await handler(
        event,
        lambdaContext(workers.mailer.id, workers.mailer.timeoutSeconds),
      )) as DynamoDBBatchResponse | undefined;
      const failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      if (failed.size === 0) return -1;
      return batch.findIndex((r) => failed.has(r.dynamodb?.SequenceNumber ?? ''));
    } catch (err) {
      this.onError(`stream poller: mailer threw ${(err as Error).name}`);
      return 0;
    }
  }
}

export function toLambdaEvent(records: _Record[], streamArn: string): DynamoDBStreamEvent {
  return {
    Records: records.map((r) => ({
      eventID: r.eventID,
      eventName: r.eventName as 'INSERT' | 'MODIFY' | 'REMOVE',
      eventVersion: r.eventVersion,
      eventSource: 'aws:dynamodb',
      awsRegion: 'me-central-1',
      eventSourceARN: streamArn,
      dynamodb: {
        ...(r.dynamodb?.ApproximateCreationDateTime
          ? {
              ApproximateCreationDateTime: Math.floor(
                new Date(r.dynamodb.ApproximateCreationDateTime).getTime() / 1000,
              ),
            }
          : {}),
        Keys: r.dynamodb?.Keys as never,
        ...(r.dynamodb?.NewImage ? { NewImage: r.dynamodb.NewImage as never } : {}),
        ...(r.dynamodb?.OldImage ? { OldImage: r.dynamodb.OldImage as never } : {}),
        SequenceNumber: r.dynamodb?.SequenceNumber,
        SizeBytes: r.dynamodb?.SizeBytes,
        StreamViewType: r.dynamodb?.StreamViewType as 'NEW_AND_OLD_IMAGES',
      },
    })),
  };
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}
