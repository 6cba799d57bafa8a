"use strict";
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toCommonJS = (mod) => __copyProps(__defProp({}, "__esModule", { value: true }), mod);

// src/infra/lambdas/resolve-backup-target.ts
var resolve_backup_target_exports = {};
__export(resolve_backup_target_exports, {
  ASG_TAG: () => ASG_TAG,
  handler: () => handler,
  imageName: () => imageName,
  resolveBackupTarget: () => resolveBackupTarget,
  swapClientToken: () => swapClientToken
});
module.exports = __toCommonJS(resolve_backup_target_exports);
var import_node_crypto = require("node:crypto");
var import_client_auto_scaling = require("@aws-sdk/client-auto-scaling");
var import_client_ec2 = require("@aws-sdk/client-ec2");

// src/infra/state-machines/identifiers.ts
var BACKUP_JOB_TAG = "rehost-factory:backup-job";

// src/infra/lambdas/errors.ts
var PipelineError = class extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
};
function settingsFromEnv(variable, env = process.env) {
  const raw = env[variable];
  if (!raw) throw new PipelineError("MisconfiguredFunction", `environment variable ${variable} is not set`);
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw new PipelineError("MisconfiguredFunction", `environment variable ${variable} is not JSON: ${e.message}`);
  }
}
function tagValue(tags, key) {
  return tags?.find((t) => t.Key === key)?.Value;
}

// src/infra/lambdas/resolve-backup-target.ts
var ASG_TAG = "aws:autoscaling:groupName";
async function locate(clients, event) {
  const backupJobId = event.detail?.backupJobId;
  if (!backupJobId) throw new PipelineError("InvalidEvent", 'the event has no detail.backupJobId: not a "Backup Job State Change" event');
  const imageId = (event.resources ?? []).map((r) => /:image\/(ami-[0-9a-f]+)$/.exec(r)?.[1]).find(Boolean);
  if (!imageId) throw new PipelineError("NotAnImageRecoveryPoint", `backup job ${backupJobId}: no AMI ARN in resources ${JSON.stringify(event.resources ?? [])}`);
  const instanceId = /:instance\/(i-[0-9a-f]+)$/.exec(event.detail?.resourceArn ?? "")?.[1];
  if (!instanceId) throw new PipelineError("NotAnInstanceBackup", `backup job ${backupJobId}: resourceArn ${event.detail?.resourceArn} is not an EC2 instance`);
  const outside = (reason) => ({ inAsg: false, backupJobId, instanceId, reason });
  const instance = await describeInstance(clients.ec2, instanceId);
  if (!instance) return outside(`instance ${instanceId} no longer exists`);
  const asgName = tagValue(instance.Tags, ASG_TAG);
  if (!asgName) return outside(`instance ${instanceId} is not in an Auto Scaling group (no ${ASG_TAG} tag)`);
  const { AutoScalingGroups = [] } = await clients.autoscaling.send(new import_client_auto_scaling.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [asgName] }));
  const group = AutoScalingGroups[0];
  if (!group) return outside(`Auto Scaling group ${asgName} no longer exists`);
  return { inAsg: true, backupJobId, instanceId, asgName, imageId, instance, group };
}
async function resolveBackupTarget(clients, request, s, nowMs = Date.now()) {
  const found = await locate(clients, request.event);
  if (!found.inAsg) return found;
  const { backupJobId, instanceId, asgName, imageId, instance, group } = found;
  if (request.step === "locate") {
    const now = Math.floor(nowMs / 1e3);
    return { inAsg: true, backupJobId, instanceId, asgName, clock: { now, expiresAt: now + s.lockSeconds } };
  }
  if (!Number.isInteger(request.attempt) || request.attempt < 1) throw new PipelineError("InvalidRequest", `attempt must be an integer >= 1, got ${JSON.stringify(request.attempt)}`);
  const spec = group.LaunchTemplate ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
  if (!spec?.LaunchTemplateId && !spec?.LaunchTemplateName) {
    throw new PipelineError("UnsupportedLaunchConfiguration", `Auto Scaling group ${asgName} uses a launch configuration, not a launch template: migrate it to a launch template first`);
  }
  const { LaunchTemplateVersions = [] } = await clients.ec2.send(
    new import_client_ec2.DescribeLaunchTemplateVersionsCommand({ ...spec.LaunchTemplateId ? { LaunchTemplateId: spec.LaunchTemplateId } : { LaunchTemplateName: spec.LaunchTemplateName }, Versions: ["$Default"] })
  );
  const version = LaunchTemplateVersions.find((v) => v.DefaultVersion) ?? LaunchTemplateVersions[0];
  if (!version?.VersionNumber || !version.LaunchTemplateId) throw new PipelineError("LaunchTemplateNotFound", `Auto Scaling group ${asgName}: launch template ${spec.LaunchTemplateId ?? spec.LaunchTemplateName} has no default version`);
  const { Images = [] } = await clients.ec2.send(new import_client_ec2.DescribeImagesCommand({ ImageIds: [imageId] }));
  if (!Images[0]) throw new PipelineError("RecoveryPointImageNotFound", `backup job ${backupJobId}: image ${imageId} is not visible to this account`);
  const windows = (Images[0].Platform ?? "").toLowerCase() === "windows" || /windows/i.test(Images[0].PlatformDetails ?? "");
  const clientToken = swapClientToken(backupJobId, request.attempt);
  return {
    inAsg: true,
    backupJobId,
    imageId,
    instanceId,
    asgName,
    maxSize: group.MaxSize ?? 0,
    clampedMaxSize: Math.max(group.DesiredCapacity ?? 0, group.MinSize ?? 0),
    launchTemplateId: version.LaunchTemplateId,
    defaultVersion: version.VersionNumber,
    usesMixedInstancesPolicy: !group.LaunchTemplate && !!group.MixedInstancesPolicy,
    ...!group.LaunchTemplate && group.MixedInstancesPolicy ? {
      mixedInstancesPolicy: {
        ...group.MixedInstancesPolicy,
        LaunchTemplate: { ...group.MixedInstancesPolicy.LaunchTemplate, LaunchTemplateSpecification: { LaunchTemplateId: version.LaunchTemplateId, Version: "$Default" } }
      }
    } : {},
    windows,
    imageName: imageName(asgName, backupJobId),
    clientToken,
    runInstances: await temporaryInstanceRequest(clients.ec2, imageId, instance, group, version.LaunchTemplateData ?? {}, clientToken, { ...s.tags, [BACKUP_JOB_TAG]: backupJobId, Name: `ami-swap-${asgName}`.slice(0, 255) })
  };
}
function swapClientToken(backupJobId, attempt) {
  const token = `swap-${backupJobId}-${attempt}`;
  return token.length <= 64 ? token : `swap-${(0, import_node_crypto.createHash)("sha256").update(backupJobId).digest("hex").slice(0, 40)}-${attempt}`;
}
async function describeInstance(ec22, instanceId) {
  try {
    const { Reservations = [] } = await ec22.send(new import_client_ec2.DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    return Reservations[0]?.Instances?.[0];
  } catch (e) {
    if (e.name === "InvalidInstanceID.NotFound") return void 0;
    throw e;
  }
}
async function temporaryInstanceRequest(ec22, imageId, instance, group, lt, clientToken, tags) {
  const nic = lt.NetworkInterfaces?.find((n) => (n.DeviceIndex ?? 0) === 0);
  const subnetId = nic?.SubnetId ?? await groupSubnet(ec22, group, lt.Placement?.AvailabilityZone) ?? instance.SubnetId;
  const groups = nic?.Groups?.length ? nic.Groups : lt.SecurityGroupIds?.length ? lt.SecurityGroupIds : (instance.SecurityGroups ?? []).map((g) => g.GroupId).filter(Boolean);
  const profile = lt.IamInstanceProfile?.Arn ? { Arn: lt.IamInstanceProfile.Arn } : lt.IamInstanceProfile?.Name ? { Name: lt.IamInstanceProfile.Name } : instance.IamInstanceProfile?.Arn ? { Arn: instance.IamInstanceProfile.Arn } : void 0;
  const { AvailabilityZone, AvailabilityZoneId, ...placement } = lt.Placement ?? {};
  return {
    ImageId: imageId,
    InstanceType: lt.InstanceType ?? instance.InstanceType,
    MinCount: 1,
    MaxCount: 1,
    ClientToken: clientToken,
    NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnetId, Groups: groups, AssociatePublicIpAddress: false, DeleteOnTermination: true }],
    ...Object.keys(placement).length ? { Placement: placement } : {},
    ...profile ? { IamInstanceProfile: profile } : {},
    MetadataOptions: { HttpTokens: "required" },
    TagSpecifications: [{ ResourceType: "instance", Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }]
  };
}
async function groupSubnet(ec22, group, zone) {
  const ids = (group.VPCZoneIdentifier ?? "").split(",").map((x) => x.trim()).filter(Boolean);
  if (!zone || ids.length < 2) return ids[0];
  const { Subnets = [] } = await ec22.send(new import_client_ec2.DescribeSubnetsCommand({ SubnetIds: ids }));
  return Subnets.find((sn) => sn.AvailabilityZone === zone)?.SubnetId ?? ids[0];
}
function imageName(asgName, backupJobId) {
  const suffix = `-${backupJobId}`;
  return `${asgName.replace(/[^A-Za-z0-9()[\] ./'@_-]/g, "_").slice(0, 128 - suffix.length)}${suffix}`;
}
var ec2;
var autoscaling;
var handler = (request) => resolveBackupTarget({ ec2: ec2 ??= new import_client_ec2.EC2Client({}), autoscaling: autoscaling ??= new import_client_auto_scaling.AutoScalingClient({}) }, request, settingsFromEnv("RESOLVE_SETTINGS"));
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  ASG_TAG,
  handler,
  imageName,
  resolveBackupTarget,
  swapClientToken
});
