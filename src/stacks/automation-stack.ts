import { Construct } from 'constructs';
import { FactoryStack, FactoryStackProps } from './factory-stack';

/** AMI re-encryption and AMI swap pipelines (EventBridge + Step Functions). */
export class AutomationStack extends FactoryStack {
  constructor(scope: Construct, props: FactoryStackProps) {
    super(scope, 'automation', props);
  }
}
