import { Construct } from 'constructs';
import { FactoryStack, FactoryStackProps } from './factory-stack';

/** The VM Import bucket and the vmimport service role. */
export class VmImportStack extends FactoryStack {
  constructor(scope: Construct, props: FactoryStackProps) {
    super(scope, 'vm-import', props);
  }
}
