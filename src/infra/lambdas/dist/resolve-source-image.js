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

// src/infra/lambdas/resolve-source-image.ts
var resolve_source_image_exports = {};
__export(resolve_source_image_exports, {
  copyName: () => copyName,
  handler: () => handler,
  resolveSourceImage: () => resolveSourceImage
});
module.exports = __toCommonJS(resolve_source_image_exports);
var import_node_crypto = require("node:crypto");
var import_client_ec22 = require("@aws-sdk/client-ec2");

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

// src/infra/lambdas/images.ts
var import_client_ec2 = require("@aws-sdk/client-ec2");
function snapshotIdsOf(image) {
  return (image.BlockDeviceMappings ?? []).map((b) => b.Ebs?.SnapshotId).filter((id) => !!id);
}

// src/infra/lambdas/resolve-source-image.ts
async function resolveSourceImage(ec2, event, s) {
  const imageId = event.detail?.ImageId;
  if (!imageId) throw new PipelineError("InvalidEvent", 'the event has no detail.ImageId: not an "EC2 AMI State Change" event');
  if (event.detail?.State !== "available") return { selected: false, imageId, reason: `event state is ${event.detail?.State}, not available` };
  const { Images = [] } = await ec2.send(new import_client_ec22.DescribeImagesCommand({ ImageIds: [imageId] }));
  const image = Images[0];
  if (!image) throw new PipelineError("SourceImageNotFound", `image ${imageId} is not visible to this account`);
  if (image.State !== "available") return { selected: false, imageId, reason: `image is ${image.State}` };
  if (tagValue(image.Tags, s.pipelineTagKey) !== void 0) return { selected: false, imageId, reason: "image is a copy made by rehost-factory" };
  const sourceServerId = tagValue(image.Tags, s.sourceImageTagKey);
  if (sourceServerId === void 0) return { selected: false, imageId, reason: `image has no ${s.sourceImageTagKey} tag` };
  const target = chooseTarget(image.Tags, sourceServerId, s);
  const name = image.Name ?? imageId;
  return {
    selected: true,
    imageId,
    name,
    sourceServerId: sourceServerId || "unknown",
    wave: tagValue(image.Tags, s.waveTagKey) || "unknown",
    snapshotIds: snapshotIdsOf(image),
    copyName: copyName(name, target.name, imageId),
    clientToken: `re-encrypt-${(0, import_node_crypto.createHash)("sha256").update(`${imageId}|${target.keyArn}`).digest("hex").slice(0, 40)}`,
    target: { ...target, share: target.accountId !== s.stagingAccountId }
  };
}
function chooseTarget(tags, sourceServerId, s) {
  if (s.targets.length === 0) throw new PipelineError("MisconfiguredFunction", "no target accounts are configured");
  const byName = (name, from) => {
    const t = s.targets.find((x) => x.name === name);
    if (!t) throw new PipelineError("UnknownTargetAccount", `${from} names target account "${name}", expected one of: ${s.targets.map((x) => x.name).join(", ")}`);
    return t;
  };
  const tagged = tagValue(tags, s.targetAccountTagKey);
  if (tagged) return byName(tagged, `tag ${s.targetAccountTagKey}`);
  const configured = s.serverTargets[sourceServerId];
  if (configured) return byName(configured, `factory.yaml (server ${sourceServerId})`);
  return s.targets[0];
}
function copyName(sourceName, target, imageId) {
  const suffix = `-${target}-${imageId}`;
  return `${sourceName.replace(/[^A-Za-z0-9()[\] ./'@_-]/g, "_").slice(0, 128 - suffix.length)}${suffix}`;
}
var client;
var handler = (event) => resolveSourceImage(client ??= new import_client_ec22.EC2Client({}), event, settingsFromEnv("RESOLVE_SETTINGS"));
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  copyName,
  handler,
  resolveSourceImage
});
