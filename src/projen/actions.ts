/**
 * Third-party actions the workflows use, pinned by commit SHA (the tag in the comment is for
 * humans). Each pin is a release whose action.yml declares `runs.using: node24`, the runtime
 * GitHub's runners now run actions on. Each SHA was read from the tag in the action's own
 * repository (where its action.yml was checked) and confirmed against independent public
 * workflows that pin the same SHA with the same tag comment.
 *
 * Majors: the first node24 major of each action, at its newest release, except setup-node
 * (v6: the maintained line; v5 had a single release) and download-artifact (v8: it fails on an
 * artifact whose digest does not match the uploaded one, a check that matters where the apply
 * workflow downloads the reviewed plan of another run). None of these majors changes an input the
 * workflows pass.
 */
export const PINNED_ACTIONS = {
  checkout: 'actions/checkout@fbc6f3992d24b796d5a048ff273f7fcc4a7b6c09', // v5.1.0
  setupNode: 'actions/setup-node@249970729cb0ef3589644e2896645e5dc5ba9c38', // v6.5.0
  setupPython: 'actions/setup-python@ece7cb06caefa5fff74198d8649806c4678c61a1', // v6.3.0
  setupTerraform: 'hashicorp/setup-terraform@dfe3c3f87815947d99a8997f908cb6525fc44e9e', // v4.0.1
  configureAwsCredentials: 'aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c', // v6.2.3
  uploadArtifact: 'actions/upload-artifact@b7c566a772e6b6bfb58ed0dc250532a479d7789f', // v6.0.0
  downloadArtifact: 'actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c', // v8.0.1
  githubScript: 'actions/github-script@ed597411d8f924073f98dfc5c65a23a2325f34cd', // v8.0.0
} as const;
