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

export interface FakeTask {
  readonly id: string;
  readonly steps: ImportTaskScript['steps'];
  describeCalls: number;
}

export interface FakeState {
  readonly importRequests: Array<Record<string, string>>;
  /** Tasks by ClientToken: like EC2, a repeated token returns the task it started. */
  readonly tasks: Map<string, FakeTask>;
  /** DescribeImportImageTasks calls of the last task started. */
  describeCalls: number;
  lastTaskId?: string;
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
  const state: FakeState = { importRequests: [], tasks: new Map(), describeCalls: 0, commandOutput: '', sentCommands: [] };
  const byId = new Map<string, FakeTask>();
  const xml = (action: string, inner: string): InterceptedResponse => ({
    contentType: 'text/xml',
    body: `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>fake</requestId>${inner}</${action}Response>`,
  });
  const json = (body: unknown): InterceptedResponse => ({ contentType: 'application/x-amz-json-1.1', body: JSON.stringify(body) });

  const interceptor: Interceptor = async (req: InterceptedRequest) => {
    const p = req.params as Record<string, string>;
    switch (req.action) {
      case 'ImportImage': {
        state.importRequests.push(p);
        let task = state.tasks.get(p.ClientToken);
        if (!task) {
          task = { id: `import-ami-${(0x0123456789abcdef0n + BigInt(byId.size)).toString(16).padStart(17, '0')}`, steps: script().steps, describeCalls: 0 };
          state.tasks.set(p.ClientToken, task);
          byId.set(task.id, task);
          state.lastTaskId = task.id;
        }
        return xml('ImportImage', `<importTaskId>${task.id}</importTaskId><status>active</status><statusMessage>pending</statusMessage>`);
      }
      case 'DescribeImportImageTasks': {
        const task = byId.get(p['ImportTaskId.1']);
        if (!task) return xml('DescribeImportImageTasks', '<importImageTaskSet/>');
        const step = task.steps[Math.min(task.describeCalls++, task.steps.length - 1)];
        if (task.id === state.lastTaskId) state.describeCalls = task.describeCalls;
        const taskId = task.id;
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
