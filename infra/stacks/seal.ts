import type { Stack } from 'aws-cdk-lib';
import { ArnPrincipal, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';

/** The only KMS operation the seal needs, and how: a SHA-256 digest, PKCS#1 v1.5 (RSA_2048 key). */
export const SEAL_SIGNING = {
  action: 'kms:Sign',
  messageType: 'DIGEST',
  algorithm: 'RSASSA_PKCS1_V1_5_SHA_256',
} as const;

/**
 * The countersign function's execution role has a fixed name, so the seal key's policy (stateful stack) can
 * name it without a cross-stack reference: the role lives in the stateless stack, which imports the key, and
 * a reference back would be a cycle. The name is per app (one app per account and region by design).
 */
export function sealSignerRoleName(appName: string): string {
  return `${appName}-seal-signer`;
}

/**
 * What the account (its IAM administrators, through IAM policies) may do with the seal key: everything
 * needed to manage it — describe, tag, disable, change the policy, read the public key — and nothing that
 * uses the private key or hands its use on (no grants). AWS's documented key-administrator set ("Allows key
 * administrators") with kms:Create* narrowed to kms:CreateAlias.
 * `kms:Put*` keeps the account able to change the policy: KMS refuses a policy that locks its account out,
 * and changing it is a logged, reviewable act, unlike an IAM policy that quietly grants kms:*.
 */
export const SEAL_KEY_ADMIN_ACTIONS = [
  // Not kms:Create*: kms:CreateGrant would let an administrator grant themselves kms:Sign around the policy.
  'kms:CreateAlias',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
] as const;

/**
 * The seal key's policy: the account manages the key but cannot sign with it; `kms:Sign` only for the
 * countersign function's role (by its ARN, `aws:PrincipalArn`: the role may not exist yet when the key is
 * created, and KMS rejects a policy naming a missing role as principal) and, while a certificate is being
 * made (docs/deploy.md, "The PDF seal"), for the one principal given in `sealCertificateMaker` — digests
 * only, PKCS#1 v1.5 SHA-256. The role also needs the grant in its own IAM policy (stateless stack).
 */
export function sealKeyPolicy(stack: Stack, appName: string, certificateMaker?: string): PolicyDocument {
  const account = new ArnPrincipal(`arn:${stack.partition}:iam::${stack.account}:root`);
  const signers = [
    `arn:${stack.partition}:iam::${stack.account}:role/${sealSignerRoleName(appName)}`,
    ...(certificateMaker ? [certificateMaker] : []),
  ];
  return new PolicyDocument({
    statements: [
      new PolicyStatement({
        sid: 'AccountManagesTheKeyButCannotSign',
        principals: [account],
        actions: [...SEAL_KEY_ADMIN_ACTIONS],
        resources: ['*'],
      }),
      new PolicyStatement({
        sid: 'OnlyTheCountersignFunctionSigns',
        principals: [account],
        actions: [SEAL_SIGNING.action],
        resources: ['*'],
        conditions: {
          ArnEquals: { 'aws:PrincipalArn': signers.length === 1 ? signers[0] : signers },
          StringEquals: {
            'kms:MessageType': SEAL_SIGNING.messageType,
            'kms:SigningAlgorithm': SEAL_SIGNING.algorithm,
          },
        },
      }),
    ],
  });
}
