import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import cdkJson from '../../cdk.json' with { type: 'json' };
import { buildConsentApp, type ConsentApp } from '../../infra/stacks/consent-app';

export interface SynthesizedApp extends ConsentApp {
  app: App;
  statefulTemplate: Template;
  statelessTemplate: Template;
}

/**
 * The app exactly as `cdk synth` builds it (cdk.json context and feature flags included), except that
 * bundling is skipped: the tests need neither esbuild runs nor the handler files.
 */
export function synthesize(context: Record<string, unknown> = {}): SynthesizedApp {
  const app = new App({
    context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], ...context },
  });
  const built = buildConsentApp(app);
  return {
    app,
    ...built,
    statefulTemplate: Template.fromStack(built.stateful),
    statelessTemplate: Template.fromStack(built.stateless),
  };
}

let shared: SynthesizedApp | undefined;

/** One synthesis per test file for the default settings (the first synth in a worker is the slow part). */
export function defaultApp(): SynthesizedApp {
  shared ??= synthesize();
  return shared;
}

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON is untyped; tests read it structurally.
export type Json = any;

/** Resources of a template, optionally of one type, as [logicalId, resource] pairs. */
export function resources(template: Template, type?: string): Array<[string, Json]> {
  const all = template.toJSON().Resources as Record<string, Json>;
  return Object.entries(all).filter(([, r]) => type === undefined || r.Type === type);
}

/** The logical id of a construct's CloudFormation resource (its default child, or itself). */
export function logicalId(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).getLogicalId(element);
}

export interface PolicyStatementJson {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Principal?: unknown;
}

export const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Identity-based policy documents of a template, with the logical ids of the roles they attach to. */
export function identityPolicies(
  template: Template,
): Array<{ id: string; roles: string[]; statements: PolicyStatementJson[] }> {
  const out: Array<{ id: string; roles: string[]; statements: PolicyStatementJson[] }> = [];
  const roleRefs = (refs: unknown): string[] => asArray(refs as Json[]).map((r: Json) => r.Ref as string);
  for (const [id, r] of resources(template)) {
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') {
      out.push({
        id,
        roles: roleRefs(r.Properties.Roles),
        statements: r.Properties.PolicyDocument.Statement,
      });
    } else if (r.Type === 'AWS::IAM::Role') {
      for (const p of asArray(r.Properties.Policies as Json[])) {
        out.push({ id: `${id}/${p.PolicyName}`, roles: [id], statements: p.PolicyDocument.Statement });
      }
    }
  }
  return out;
}
