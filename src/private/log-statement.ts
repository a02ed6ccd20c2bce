import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * What a Lambda function needs to write its logs to its own log group, and nothing more: used
 * instead of the account-wide `AWSLambdaBasicExecutionRole`. Internal: not exported from the package.
 */
export function writeOwnLogsStatement(logGroup: logs.ILogGroup): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'WriteOwnFunctionLogs',
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [logGroup.logGroupArn],
  });
}
