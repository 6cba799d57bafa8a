export * from './import-bucket';
export * from './vmimport-role';
