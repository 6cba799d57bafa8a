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

// src/infra/lambdas/apply-retention.ts
var apply_retention_exports = {};
__export(apply_retention_exports, {
  applyRetention: () => applyRetention,
  handler: () => handler
});
module.exports = __toCommonJS(apply_retention_exports);
var import_client_ec22 = require("@aws-sdk/client-ec2");

// src/infra/lambdas/errors.ts
var PipelineError = class extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
};

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

// src/infra/lambdas/apply-retention.ts
async function applyRetention(ec2, r) {
  if (!Number.isInteger(r.keep) || r.keep < 1) throw new PipelineError("InvalidRetention", `keep must be an integer >= 1, got ${r.keep}`);
  const { Images = [] } = await ec2.send(
    new import_client_ec22.DescribeImagesCommand({
      Owners: ["self"],
      Filters: [
        { Name: `tag:${r.pipelineTag.key}`, Values: [r.pipelineTag.value] },
        { Name: `tag:${r.groupTagKey}`, Values: [r.asgName] }
      ]
    })
  );
  const newestFirst = [...Images].sort((a, b) => (b.CreationDate ?? "").localeCompare(a.CreationDate ?? "") || (b.ImageId ?? "").localeCompare(a.ImageId ?? ""));
  const others = newestFirst.filter((i) => i.ImageId !== r.currentImageId);
  const kept = [r.currentImageId, ...others.slice(0, r.keep - 1).map((i) => i.ImageId)];
  const removed = [];
  for (const image of others.slice(r.keep - 1)) removed.push({ imageId: image.ImageId, snapshotIds: await removeImage(ec2, image) });
  return { kept, removed };
}
var client;
var handler = (request) => applyRetention(client ??= new import_client_ec22.EC2Client({}), request);
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  applyRetention,
  handler
});
