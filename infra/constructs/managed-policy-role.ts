import {
  type AddToPrincipalPolicyResult,
  ManagedPolicy,
  type PolicyStatement,
  Role,
  type RoleProps,
} from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/**
 * An IAM role whose every grant lands in one customer-managed policy attached to it, instead of the
 * inline `DefaultPolicy` CDK normally creates. HIPAA Security's iam-no-inline-policy-check wants
 * permissions in managed policies: they are versioned (a change is reviewable and can be rolled back) and
 * visible in IAM's policy inventory. Grants made through CDK's usual `grant*()` / `addToRolePolicy()`
 * calls keep working unchanged, because they all go through `addToPrincipalPolicy`.
 */
export class ManagedPolicyRole extends Role {
  readonly permissions: ManagedPolicy;

  constructor(scope: Construct, id: string, props: RoleProps & { policyDescription: string }) {
    const { policyDescription, ...roleProps } = props;
    super(scope, id, roleProps);
    // A child of the role: whatever depends on the role (the Lambda function) also waits for the policy.
    this.permissions = new ManagedPolicy(this, 'Permissions', {
      roles: [this],
      description: policyDescription,
    });
  }

  override addToPrincipalPolicy(statement: PolicyStatement): AddToPrincipalPolicyResult {
    // `permissions` is unset only while Role's own constructor runs; nothing grants that early today.
    if (!this.permissions) return super.addToPrincipalPolicy(statement);
    this.permissions.addStatements(statement);
    return { statementAdded: true, policyDependable: this.permissions };
  }
}
