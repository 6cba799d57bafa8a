import { EC2Client, RegisterImageCommand } from '@aws-sdk/client-ec2';
import { InterceptedRequest, InterceptedResponse, Interceptor } from './aws-proxy';

/**
 * moto 5.2.1 implements neither ImportImage/DescribeImportImageTasks nor SSM's
 * DescribeInstanceInformation or command outcomes. This fake answers exactly those calls, in the wire
 * formats the real SDK parses (EC2 Query XML, SSM JSON); every other call goes on to moto.
 */
export interface ImportTaskScript {
  /** Status/StatusMessage/Progress returned by successive DescribeImportImageTasks calls; the last repeats. */
  readonly steps: Array<{ status: string; message?: string; progress?: string }>;
}

export interface FakeState {
  readonly importRequests: Array<Record<string, string>>;
  describeCalls: number;
  imageId?: string;
  /** stdout of the checksum command (AWS-RunShellScript). */
  commandOutput: string;
  readonly sentCommands: Array<Record<string, unknown>>;
}

/** The documented happy sequence: Status stays active while StatusMessage names the phase. */
export const HAPPY_IMPORT: ImportTaskScript = {
  steps: [
    { status: 'active', message: 'pending', progress: '2' },
    { status: 'active', message: 'validating', progress: '10' },
    { status: 'active', message: 'validated', progress: '20' },
    { status: 'active', message: 'converting', progress: '28' },
    { status: 'active', message: 'converting', progress: '60' },
    { status: 'completed' },
  ],
};

export function importFake(script: () => ImportTaskScript, moto: EC2Client): { interceptor: Interceptor; state: FakeState } {
  const state: FakeState = { importRequests: [], describeCalls: 0, commandOutput: '', sentCommands: [] };
  const taskId = 'import-ami-0123456789abcdef0';
  const xml = (action: string, inner: string): InterceptedResponse => ({
    contentType: 'text/xml',
    body: `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>fake</requestId>${inner}</${action}Response>`,
  });
  const json = (body: unknown): InterceptedResponse => ({ contentType: 'application/x-amz-json-1.1', body: JSON.stringify(body) });

  const interceptor: Interceptor = async (req: InterceptedRequest) => {
    const p = req.params as Record<string, string>;
    switch (req.action) {
      case 'ImportImage':
        state.importRequests.push(p);
        state.describeCalls = 0;
        return xml('ImportImage', `<importTaskId>${taskId}</importTaskId><status>active</status><statusMessage>pending</statusMessage>`);
      case 'DescribeImportImageTasks': {
        const steps = script().steps;
        const step = steps[Math.min(state.describeCalls++, steps.length - 1)];
        let extra = '';
        if (step.status === 'completed') {
          // A real AMI in moto, so RunInstances can launch from it.
          state.imageId ??= (await moto.send(new RegisterImageCommand({ Name: `import-${Date.now()}`, RootDeviceName: '/dev/sda1', Architecture: 'x86_64' }))).ImageId;
          extra = `<imageId>${state.imageId}</imageId><snapshotDetailSet><item><snapshotId>snap-0123456789abcdef0</snapshotId><format>VMDK</format></item></snapshotDetailSet>`;
        }
        const tag = (k: string, v?: string) => (v ? `<${k}>${v}</${k}>` : '');
        return xml(
          'DescribeImportImageTasks',
          `<importImageTaskSet><item><importTaskId>${taskId}</importTaskId>${tag('status', step.status)}${tag('statusMessage', step.message)}${tag('progress', step.progress)}${extra}</item></importImageTaskSet>`,
        );
      }
      case 'DescribeInstanceInformation': {
        const filters = (req.params.Filters as Array<{ Key: string; Values: string[] }>) ?? [];
        const ids = filters.find((f) => f.Key === 'InstanceIds')?.Values ?? [];
        return json({ InstanceInformationList: ids.map((InstanceId) => ({ InstanceId, PingStatus: 'Online', PlatformType: 'Linux' })) });
      }
      case 'SendCommand':
        state.sentCommands.push(req.params);
        return json({ Command: { CommandId: '11111111-2222-3333-4444-555555555555', Status: 'Pending' } });
      case 'GetCommandInvocation':
        return json({ CommandId: req.params.CommandId, InstanceId: req.params.InstanceId, Status: 'Success', StandardOutputContent: state.commandOutput, StandardErrorContent: '' });
      default:
        return undefined;
    }
  };
  return { interceptor, state };
}
