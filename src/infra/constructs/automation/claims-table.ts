import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { Construct } from 'constructs';
import { BY_EXECUTION_INDEX } from '../../state-machines/identifiers';

/**
 * One item per image or backup job a pipeline has taken on, and one per Auto Scaling group being
 * swapped. A conditional write is the lock that makes a repeated event a no-op (EventBridge delivers
 * at least once, and best effort). The index by execution lets the recovery handler find what a
 * stopped execution held.
 */
export class ClaimsTable extends Construct {
  public readonly table: DynamodbTable;

  constructor(scope: Construct, id: string, props: { readonly name: string }) {
    super(scope, id);
    this.table = new DynamodbTable(this, 'table', {
      name: props.name,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'pk',
      attribute: [
        { name: 'pk', type: 'S' },
        { name: 'execution', type: 'S' },
      ],
      globalSecondaryIndex: [{ name: BY_EXECUTION_INDEX, hashKey: 'execution', projectionType: 'ALL' }],
      serverSideEncryption: { enabled: true },
      pointInTimeRecovery: { enabled: true },
    });
  }

  public get arn(): string {
    return this.table.arn;
  }
}
