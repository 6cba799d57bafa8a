import { Construct } from 'constructs';
import { FactoryStack, FactoryStackProps } from './factory-stack';

/** KMS keys and grants, SSM bootstrap documents and the workflow roles. */
export class SecurityStack extends FactoryStack {
  constructor(scope: Construct, props: FactoryStackProps) {
    super(scope, 'security', props);
  }
}

/** MGN replication and launch configuration templates. */
export class MgnStack extends FactoryStack {
  constructor(scope: Construct, props: FactoryStackProps) {
    super(scope, 'mgn', props);
  }
}

/** AMI re-encryption and AMI swap pipelines (EventBridge + Step Functions). */
export class AutomationStack extends FactoryStack {
  constructor(scope: Construct, props: FactoryStackProps) {
    super(scope, 'automation', props);
  }
}

/** The VM Import bucket and the vmimport service role. */
export class VmImportStack extends FactoryStack {
  constructor(scope: Construct, props: FactoryStackProps) {
    super(scope, 'vm-import', props);
  }
}
