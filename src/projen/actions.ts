/**
 * Third-party actions the workflows use, pinned by commit SHA (the tag in the comment is for
 * humans). Each SHA was confirmed against several independent public workflows carrying the same
 * tag comment.
 */
export const PINNED_ACTIONS = {
  checkout: 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683', // v4.2.2
  setupNode: 'actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020', // v4.4.0
  setupPython: 'actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065', // v5.6.0
  setupTerraform: 'hashicorp/setup-terraform@b9cd54a3c349d3f38e8881555d616ced269862dd', // v3.1.2
  configureAwsCredentials: 'aws-actions/configure-aws-credentials@b47578312673ae6fa5b5096b330d9fbac3d116df', // v4.2.1
  uploadArtifact: 'actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02', // v4.6.2
  downloadArtifact: 'actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093', // v4.3.0
  githubScript: 'actions/github-script@60a0d83039c74a4aee543508d2ffcb1c3799cdea', // v7.0.1
} as const;
