import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { Construct } from 'constructs';

/**
 * One item per image or backup job a pipeline has taken on. A conditional put is the lock that
 * makes a repeated event a no-op (EventBridge delivers at least once, and best effort).
 */
export class ClaimsTable extends Construct {
  public readonly table: DynamodbTable;

  constructor(scope: Construct, id: string, props: { readonly name: string }) {
    super(scope, id);
    this.table = new DynamodbTable(this, 'table', {
      name: props.name,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'pk',
      attribute: [{ name: 'pk', type: 'S' }],
      serverSideEncryption: { enabled: true },
      pointInTimeRecovery: { enabled: true },
    });
  }

  public get arn(): string {
    return this.table.arn;
  }
}
