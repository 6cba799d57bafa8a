import { randomUUID } from 'node:crypto';
import {
  CreateLaunchTemplateVersionCommand,
  DescribeLaunchTemplateVersionsCommand,
  ModifyLaunchTemplateCommand,
  type ResponseLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import { GetLaunchConfigurationCommand, type LaunchConfiguration } from '@aws-sdk/client-mgn';
import type { ResolvedPlacement } from '../config/placement';
import { notYet, reconciled, tookEffect } from './reconcile';
import { account, call, type Runtime } from './runtime';

/** A source server's MGN launch settings (launch template, post-launch actions, ...). */
export function launchConfiguration(rt: Runtime, sourceServerID: string): Promise<LaunchConfiguration> {
  return call(rt, 'mgn:GetLaunchConfiguration', () => rt.clients.mgn.send(new GetLaunchConfigurationCommand({ sourceServerID, ...account(rt) })));
}

/** The EC2 launch template MGN launches a source server from. */
export async function launchTemplateId(rt: Runtime, sourceServerID: string): Promise<string | undefined> {
  return (await launchConfiguration(rt, sourceServerID)).ec2LaunchTemplateID || undefined;
}

async function defaultVersion(rt: Runtime, id: string): Promise<{ number: number; data: ResponseLaunchTemplateData }> {
  const r = await call(rt, 'ec2:DescribeLaunchTemplateVersions', () => rt.clients.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: ['$Default'] })));
  const v = r.LaunchTemplateVersions?.[0];
  if (!v) throw new Error(`launch template ${id} has no default version`);
  return { number: v.VersionNumber!, data: v.LaunchTemplateData ?? {} };
}

/** Differences between a version's data and the placement, in words ("instance type t3.small ≠ m6i.large"). */
export function placementDrift(data: ResponseLaunchTemplateData, p: ResolvedPlacement): string[] {
  const nic = data.NetworkInterfaces?.find((n) => (n.DeviceIndex ?? 0) === 0);
  const drift: string[] = [];
  const same = (a: readonly string[] = [], b: readonly string[] = []) => [...a].sort().join(',') === [...b].sort().join(',');
  if (data.InstanceType !== p.instanceType) drift.push(`instance type ${data.InstanceType ?? 'unset'} ≠ ${p.instanceType}`);
  if (nic?.SubnetId !== p.subnetId) drift.push(`subnet ${nic?.SubnetId ?? 'unset'} ≠ ${p.subnetId}`);
  if (!same(nic?.Groups, p.securityGroups)) drift.push(`security groups ${(nic?.Groups ?? []).join(',') || 'unset'} ≠ ${p.securityGroups.join(',')}`);
  const ip = nic?.PrivateIpAddress ?? nic?.PrivateIpAddresses?.find((a) => a.Primary)?.PrivateIpAddress;
  if ((ip ?? undefined) !== p.privateIp) drift.push(`private IP ${ip ?? 'unset'} ≠ ${p.privateIp ?? 'unset'}`);
  const profile = data.IamInstanceProfile?.Name ?? data.IamInstanceProfile?.Arn?.split('/').pop();
  if ((profile ?? undefined) !== p.instanceProfile) drift.push(`instance profile ${profile ?? 'unset'} ≠ ${p.instanceProfile ?? 'unset'}`);
  const instanceTags = new Map((data.TagSpecifications?.find((t) => t.ResourceType === 'instance')?.Tags ?? []).map((t) => [t.Key, t.Value]));
  const missing = Object.entries(p.tags).filter(([k, v]) => instanceTags.get(k) !== v);
  if (missing.length) drift.push(`tags ${missing.map(([k]) => k).join(',')} differ`);
  return drift;
}

/**
 * Writes the placement as a new version of the server's launch template and makes it the default
 * (MGN ignores any other version), then reads it back. Does nothing when the default version
 * already carries the placement, so a re-run creates no versions. Both writes are reconciled: a
 * version whose answer was lost is found by its description and content, not written twice.
 * @returns the default version number after the call and whether a version was written
 */
export async function applyPlacement(rt: Runtime, templateId: string, p: ResolvedPlacement, description: string): Promise<{ version: number; changed: boolean }> {
  const current = await defaultVersion(rt, templateId);
  if (placementDrift(current.data, p).length === 0) return { version: current.number, changed: false };
  const tags = Object.entries(p.tags).map(([Key, Value]) => ({ Key, Value }));
  const versionDescription = description.slice(0, 255);
  // EC2 also deduplicates a retry that carries the same token (its reads are eventually consistent).
  const clientToken = randomUUID();
  const version = await reconciled(rt, {
    call: 'ec2:CreateLaunchTemplateVersion',
    target: `launch template ${templateId}`,
    send: async () => {
      const created = await rt.clients.ec2.send(
        new CreateLaunchTemplateVersionCommand({
          LaunchTemplateId: templateId,
          ClientToken: clientToken,
          // Real EC2 inherits MGN's other settings (image, disks) from the source version.
          SourceVersion: String(current.number),
          VersionDescription: versionDescription,
          LaunchTemplateData: {
            InstanceType: p.instanceType as never,
            ...(p.instanceProfile ? { IamInstanceProfile: { Name: p.instanceProfile } } : {}),
            NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: p.subnetId, Groups: [...p.securityGroups], ...(p.privateIp ? { PrivateIpAddress: p.privateIp } : {}) }],
            TagSpecifications: [
              { ResourceType: 'instance', Tags: tags },
              { ResourceType: 'volume', Tags: tags },
            ],
          },
        }),
      );
      const number = created.LaunchTemplateVersion?.VersionNumber;
      if (!number) throw new Error(`CreateLaunchTemplateVersion on ${templateId} returned no version number`);
      return number;
    },
    // The newest version after the default one with this description and the placement.
    effect: async () => {
      const r = await call(rt, 'ec2:DescribeLaunchTemplateVersions', () =>
        rt.clients.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: templateId, MinVersion: String(current.number + 1) })),
      );
      const mine = (r.LaunchTemplateVersions ?? []).filter((v) => v.VersionDescription === versionDescription && placementDrift(v.LaunchTemplateData ?? {}, p).length === 0);
      const newest = Math.max(0, ...mine.map((v) => v.VersionNumber ?? 0));
      return newest ? tookEffect(newest) : notYet;
    },
  });
  await reconciled(rt, {
    call: 'ec2:ModifyLaunchTemplate',
    target: `launch template ${templateId}`,
    send: () => rt.clients.ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: templateId, DefaultVersion: String(version) })),
    effect: async () => ((await defaultVersion(rt, templateId)).number === version ? tookEffect(undefined) : notYet),
  });
  // Read back what MGN will launch from: the $Default version must be the one just written.
  const back = await defaultVersion(rt, templateId);
  const drift = placementDrift(back.data, p);
  if (back.number !== version || drift.length) {
    throw new Error(`launch template ${templateId}: default version is ${back.number} (expected ${version}) ${drift.length ? `and differs from the placement: ${drift.join('; ')}` : ''}`.trim());
  }
  return { version, changed: true };
}
