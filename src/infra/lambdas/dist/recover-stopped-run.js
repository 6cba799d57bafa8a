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

// src/infra/lambdas/recover-stopped-run.ts
var recover_stopped_run_exports = {};
__export(recover_stopped_run_exports, {
  handler: () => handler,
  recoverStoppedRun: () => recoverStoppedRun
});
module.exports = __toCommonJS(recover_stopped_run_exports);
var import_client_auto_scaling = require("@aws-sdk/client-auto-scaling");
var import_client_dynamodb = require("@aws-sdk/client-dynamodb");
var import_client_ec22 = require("@aws-sdk/client-ec2");
var import_client_sns = require("@aws-sdk/client-sns");

// src/infra/state-machines/identifiers.ts
var RE_ENCRYPTION_PIPELINE = "ami-re-encryption";
var AMI_SWAP_PIPELINE = "ami-swap";
var PIPELINE_TAG = "rehost-factory:pipeline";
var BACKUP_JOB_TAG = "rehost-factory:backup-job";
var SOURCE_IMAGE_TAG = "rehost-factory:source-image";
var CLAIM_STATUS = { inProgress: "IN_PROGRESS", done: "DONE", released: "RELEASED" };
var GROUP_LOCK_PREFIX = "ami-swap-asg#";
var BY_EXECUTION_INDEX = "by-execution";
var STOPPED_STATUSES = ["FAILED", "TIMED_OUT", "ABORTED"];

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

// src/infra/lambdas/images.ts
var import_client_ec2 = require("@aws-sdk/client-ec2");
var alreadyGone = (e) => /NotFound|InvalidAMIID\.Unavailable/.test(e.name);
function snapshotIdsOf(image) {
  return (image.BlockDeviceMappings ?? []).map((b) => b.Ebs?.SnapshotId).filter((id) => !!id);
}
async function removeImage(ec2, image) {
  const snapshotIds = snapshotIdsOf(image);
  try {
    await ec2.send(new import_client_ec2.DeregisterImageCommand({ ImageId: image.ImageId }));
  } catch (e) {
    if (!alreadyGone(e)) throw e;
  }
  for (const SnapshotId of snapshotIds) {
    try {
      await ec2.send(new import_client_ec2.DeleteSnapshotCommand({ SnapshotId }));
    } catch (e) {
      if (!alreadyGone(e)) throw e;
    }
  }
  return snapshotIds;
}

// src/infra/lambdas/recover-stopped-run.ts
async function recoverStoppedRun(c, event, s) {
  const executionArn = event.detail?.executionArn;
  const status = event.detail?.status ?? "";
  if (!executionArn) throw new PipelineError("InvalidEvent", 'the event has no detail.executionArn: not a "Step Functions Execution Status Change" event');
  const report = { executionArn, status, actions: [] };
  if (!STOPPED_STATUSES.includes(status)) return report;
  const items = await itemsHeldBy(c.dynamodb, s.tableName, executionArn);
  const held = { ":execution": { S: executionArn } };
  for (const item of items.filter((i) => i.pk.S.startsWith(GROUP_LOCK_PREFIX))) {
    const group = item.pk.S.slice(GROUP_LOCK_PREFIX.length);
    if (item.maxSize?.N) {
      await c.autoscaling.send(new import_client_auto_scaling.UpdateAutoScalingGroupCommand({ AutoScalingGroupName: group, MaxSize: Number(item.maxSize.N) }));
      report.actions.push(`MaxSize of Auto Scaling group ${group} restored to ${item.maxSize.N}`);
    }
    await conditional(
      () => c.dynamodb.send(new import_client_dynamodb.DeleteItemCommand({ TableName: s.tableName, Key: { pk: item.pk }, ConditionExpression: "#execution = :execution", ExpressionAttributeNames: { "#execution": "execution" }, ExpressionAttributeValues: held }))
    );
    report.actions.push(`lock of Auto Scaling group ${group} released`);
  }
  for (const item of items.filter((i) => i.status?.S === CLAIM_STATUS.inProgress)) {
    const [pipeline, id] = splitClaimKey(item.pk.S);
    if (pipeline === AMI_SWAP_PIPELINE) report.actions.push(...await terminateTemporaryInstances(c.ec2, id));
    if (pipeline === RE_ENCRYPTION_PIPELINE) report.actions.push(...await removeUnfinishedCopies(c.ec2, id));
    const released = await conditional(
      () => c.dynamodb.send(
        new import_client_dynamodb.UpdateItemCommand({
          TableName: s.tableName,
          Key: { pk: item.pk },
          UpdateExpression: "SET #status = :released",
          ConditionExpression: "#execution = :execution AND #status = :inProgress",
          ExpressionAttributeNames: { "#execution": "execution", "#status": "status" },
          ExpressionAttributeValues: { ...held, ":released": { S: CLAIM_STATUS.released }, ":inProgress": { S: CLAIM_STATUS.inProgress } }
        })
      )
    );
    if (released) report.actions.push(`claim ${item.pk.S} released (the event may be sent again)`);
  }
  const committed = items.filter((i) => i.status?.S === CLAIM_STATUS.done && splitClaimKey(i.pk.S)[0] === AMI_SWAP_PIPELINE);
  for (const item of committed) report.actions.push(...await terminateTemporaryInstances(c.ec2, splitClaimKey(item.pk.S)[1]));
  if (report.actions.length) {
    for (const item of committed) {
      report.actions.push(
        `claim ${item.pk.S} stays ${CLAIM_STATUS.done} (${item.result?.S ?? "no result"}): the swap was committed before the execution ended, so a repeated event does nothing; an instance refresh and retention may not have run`
      );
    }
  }
  if (report.actions.length) {
    await c.sns.send(
      new import_client_sns.PublishCommand({
        TopicArn: s.topicArn,
        Subject: `rehost-factory: clean-up after a ${status} execution`,
        Message: [`Execution ${executionArn} ended ${status} without finishing its own clean-up. Done since:`, ...report.actions.map((a) => `- ${a}`)].join("\n")
      })
    );
  }
  return report;
}
async function itemsHeldBy(dynamodb, table, executionArn) {
  const items = [];
  let start;
  do {
    const page = await dynamodb.send(
      new import_client_dynamodb.QueryCommand({
        TableName: table,
        IndexName: BY_EXECUTION_INDEX,
        KeyConditionExpression: "#execution = :execution",
        ExpressionAttributeNames: { "#execution": "execution" },
        ExpressionAttributeValues: { ":execution": { S: executionArn } },
        ExclusiveStartKey: start
      })
    );
    items.push(...page.Items ?? []);
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
async function conditional(write) {
  try {
    await write();
    return true;
  } catch (e) {
    if (e.name === "ConditionalCheckFailedException") return false;
    throw e;
  }
}
function splitClaimKey(pk) {
  const i = pk.indexOf("#");
  return [pk.slice(0, i), pk.slice(i + 1)];
}
async function terminateTemporaryInstances(ec2, backupJobId) {
  const { Reservations = [] } = await ec2.send(
    new import_client_ec22.DescribeInstancesCommand({
      Filters: [
        { Name: `tag:${PIPELINE_TAG}`, Values: [AMI_SWAP_PIPELINE] },
        { Name: `tag:${BACKUP_JOB_TAG}`, Values: [backupJobId] },
        { Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped"] }
      ]
    })
  );
  const ids = Reservations.flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId);
  if (!ids.length) return [];
  await ec2.send(new import_client_ec22.TerminateInstancesCommand({ InstanceIds: ids }));
  return ids.map((id) => `temporary instance ${id} of backup job ${backupJobId} terminated`);
}
async function removeUnfinishedCopies(ec2, sourceImageId) {
  const { Images = [] } = await ec2.send(
    new import_client_ec22.DescribeImagesCommand({
      Owners: ["self"],
      Filters: [
        { Name: `tag:${PIPELINE_TAG}`, Values: [RE_ENCRYPTION_PIPELINE] },
        { Name: `tag:${SOURCE_IMAGE_TAG}`, Values: [sourceImageId] }
      ]
    })
  );
  const done = [];
  for (const image of Images) {
    const snapshots = await removeImage(ec2, image);
    done.push(`unfinished copy ${image.ImageId} (${image.State}) of ${sourceImageId} deregistered, ${snapshots.length} snapshot(s) deleted`);
  }
  return done;
}
var clients;
var handler = (event) => recoverStoppedRun(
  clients ??= { dynamodb: new import_client_dynamodb.DynamoDBClient({}), autoscaling: new import_client_auto_scaling.AutoScalingClient({}), ec2: new import_client_ec22.EC2Client({}), sns: new import_client_sns.SNSClient({}) },
  event,
  settingsFromEnv("RECOVER_SETTINGS")
);
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  handler,
  recoverStoppedRun
});
