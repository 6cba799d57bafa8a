import { Construct } from 'constructs';
import { FactoryStack, FactoryStackProps } from './factory-stack';

/** MGN replication and launch configuration templates. */
export class MgnStack extends FactoryStack {
  constructor(scope: Construct, props: FactoryStackProps) {
    super(scope, 'mgn', props);
  }
}
