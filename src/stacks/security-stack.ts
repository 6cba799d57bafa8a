import { Construct } from 'constructs';
import { FactoryStack, FactoryStackProps } from './factory-stack';

/** KMS keys and grants, SSM bootstrap documents and the workflow roles. */
export class SecurityStack extends FactoryStack {
  constructor(scope: Construct, props: FactoryStackProps) {
    super(scope, 'security', props);
  }
}
