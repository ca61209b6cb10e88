#!/usr/bin/env node
// CDK entry point (cdk.json): `npx cdk deploy --all -c config=path/to/tributary.config.json`.
import { buildApp } from './build-app.ts';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
buildApp();
