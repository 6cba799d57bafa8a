import { RegisterImageCommand } from '@aws-sdk/client-ec2';
import { GetCommandInvocationCommand } from '@aws-sdk/client-ssm';
import { VmImportClients } from '../../../src/vm-import/run';
import { InterceptedRequest, InterceptedResponse, Interceptor } from './aws-proxy';

/**
 * moto 5.2.1 implements neither ImportImage/DescribeImportImageTasks nor SSM's
 * DescribeInstanceInformation, and its command invocations have no output. This fake answers exactly
 * those calls, in the wire formats the real SDK parses (EC2 Query XML, SSM JSON); every other call,
 * SendCommand included, goes on to moto. GetCommandInvocation is moto's own answer (so an unknown
 * command or instance is moto's InvocationDoesNotExist) with the checksum command's stdout added.
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

/** The phases as Status values (validating, validated, converting, updating: VM Import reports them either way), not only as StatusMessage. */
export const PHASED_IMPORT: ImportTaskScript = {
  steps: [
    { status: 'active', message: 'pending', progress: '2' },
    { status: 'validating', message: 'validating', progress: '10' },
    { status: 'validated', progress: '20' },
    { status: 'converting', message: 'converting', progress: '35' },
    { status: 'updating', message: 'updating', progress: '70' },
    { status: 'updating', message: 'preparing ami', progress: '90' },
    { status: 'completed', message: 'completed' },
  ],
};

/** `moto`: clients of moto itself (not of the proxy), in the account the runbook works in. */
export function importFake(script: () => ImportTaskScript, moto: VmImportClients): { interceptor: Interceptor; state: FakeState } {
  const state: FakeState = { importRequests: [], tasks: new Map(), describeCalls: 0, commandOutput: '' };
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
          state.imageId ??= (await moto.ec2.send(new RegisterImageCommand({ Name: `import-${Date.now()}`, RootDeviceName: '/dev/sda1', Architecture: 'x86_64' }))).ImageId;
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
      case 'GetCommandInvocation': {
        const { CommandId, InstanceId } = req.params as { CommandId: string; InstanceId: string };
        try {
          const inv = await moto.ssm.send(new GetCommandInvocationCommand({ CommandId, InstanceId }));
          const { $metadata: _, ...answer } = inv;
          return json({ ...answer, StandardOutputContent: state.commandOutput });
        } catch (e) {
          const err = e as { name: string; message: string };
          return { status: 400, contentType: 'application/x-amz-json-1.1', body: JSON.stringify({ __type: err.name, message: err.message }) };
        }
      }
      default:
        return undefined;
    }
  };
  return { interceptor, state };
}
