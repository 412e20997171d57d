import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

const FIVE_MINUTES = Duration.minutes(5);

export interface OperationsAlarmsProps {
  /** Where every alarm goes (the clinic's alarm e-mail is subscribed). */
  topic: ITopic;
  /** Namespace of the custom metrics derived from logs. */
  metricNamespace: string;
  api: HttpApi;
  /** The API's access log group (JSON lines with a string `status`). */
  accessLogs: ILogGroup;
  table: ITableV2;
  /** Functions whose every error means an e-mail is late: the mailer and the sweeper. */
  mailFunctions: IFunction[];
  /** Queues that must stay empty: anything in them is a failure someone has to look at. */
  deadLetterQueues: Record<string, IQueue>;
  backupVaultName: string;
}

/**
 * The alarms a clinic needs to trust the system unattended: e-mails not going out, records landing in a
 * dead-letter queue, the API failing or throttling, DynamoDB throttling, SES reputation at risk, backups
 * failing. Each alarm notifies the topic when it fires and when it recovers.
 */
export class OperationsAlarms extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: OperationsAlarmsProps) {
    super(scope, id);
    const action = new SnsAction(props.topic);
    const add = (
      alarmId: string,
      metric: IMetric,
      threshold: number,
      description: string,
      evaluationPeriods = 1,
    ) => {
      const alarm = new Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
      return alarm;
    };

    // E-mail delivery: any error of the mailer or sweeper (partial batch failures are retried, not errors).
    for (const fn of props.mailFunctions) {
      const name = fn.node.id;
      add(
        `${name}Errors`,
        fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
        1,
        `${name} failed: patient or clinic e-mails may be delayed. Check its log group.`,
      );
    }
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      add(
        `${name}NotEmpty`,
        queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
        1,
        `${name} holds failed work: inspect and redrive the messages (see the README's operate section).`,
      );
    }

    // API: share of 5xx responses, once there is traffic to speak of.
    add(
      'Api5xxRate',
      new MathExpression({
        label: '5xx %',
        expression: 'IF(requests >= 5, 100 * errors / requests, 0)',
        usingMetrics: {
          errors: props.api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }),
          requests: props.api.metricCount({ period: FIVE_MINUTES, statistic: 'Sum' }),
        },
        period: FIVE_MINUTES,
      }),
      5,
      'More than 5% of API requests failed with a 5xx in 5 minutes.',
    );

    // API throttling: HTTP APIs publish no throttle metric, so count 429s in the JSON access log.
    const throttled = new MetricFilter(this, 'ApiThrottledFilter', {
      logGroup: props.accessLogs,
      filterPattern: FilterPattern.stringValue('$.status', '=', '429'),
      metricNamespace: props.metricNamespace,
      metricName: 'ApiThrottledRequests',
      metricValue: '1',
    });
    add(
      'ApiThrottled',
      throttled.metric({ period: FIVE_MINUTES, statistic: 'Sum' }),
      10,
      'The API answered 429 (throttled) 10+ times in 5 minutes: raise the stage limits or look for abuse.',
    );
    add(
      'LambdaThrottles',
      new Metric({
        namespace: 'AWS/Lambda',
        metricName: 'Throttles',
        period: FIVE_MINUTES,
        statistic: 'Sum',
      }),
      1,
      'Lambda throttled invocations in this account/region: the concurrency quota is too low.',
    );

    // DynamoDB (on-demand) throttles only on sudden spikes beyond twice the previous peak.
    add(
      'TableThrottles',
      new MathExpression({
        label: 'throttle events',
        expression: 'reads + writes',
        usingMetrics: {
          reads: props.table.metric('ReadThrottleEvents', { period: FIVE_MINUTES, statistic: 'Sum' }),
          writes: props.table.metric('WriteThrottleEvents', { period: FIVE_MINUTES, statistic: 'Sum' }),
        },
        period: FIVE_MINUTES,
      }),
      1,
      'DynamoDB throttled requests on the consent table.',
    );

    // SES puts an account under review at a 5% bounce rate and a 0.1% complaint rate: warn before that.
    const hourly = { namespace: 'AWS/SES', period: Duration.hours(1), statistic: 'Maximum' } as const;
    add(
      'SesBounceRate',
      new Metric({ ...hourly, metricName: 'Reputation.BounceRate' }),
      0.04,
      'SES bounce rate at 4% (review at 5%): check patient e-mail addresses in the bounce notifications.',
    );
    add(
      'SesComplaintRate',
      new Metric({ ...hourly, metricName: 'Reputation.ComplaintRate' }),
      0.0008,
      'SES complaint rate at 0.08% (review at 0.1%).',
    );

    // Backups are the 25-year record: a failed or expired job must not go unnoticed.
    for (const metricName of ['NumberOfBackupJobsFailed', 'NumberOfBackupJobsExpired']) {
      add(
        metricName.replace('NumberOf', ''),
        new Metric({
          namespace: 'AWS/Backup',
          metricName,
          dimensionsMap: { BackupVaultName: props.backupVaultName },
          period: Duration.hours(1),
          statistic: 'Sum',
        }),
        1,
        `AWS Backup: ${metricName} for the consent vault. Check the job in the AWS Backup console.`,
      );
    }
  }
}
