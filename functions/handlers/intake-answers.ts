import { route } from '../../infra/routes';
import { runtimeDeps } from '../adapters/runtime';
import { answersRequestSchema } from '../contract/intake';
import { type HttpEvent, type HttpResult, httpHandler, json, readJson, requestMeta } from '../http/api';
import { tokenParam } from '../http/params';
import { openIntake, submitAnswers } from '../workflow/intake';

export async function postAnswers(event: HttpEvent): Promise<HttpResult> {
  const parse = readJson(event);
  const deps = runtimeDeps();
  const ctx = await openIntake(deps, tokenParam(event), requestMeta(event));
  const input = parse(answersRequestSchema, 'Some answers are missing or not valid.');
  return json(200, await submitAnswers(deps, ctx, input, requestMeta(event)));
}

export const handler = httpHandler(postAnswers, route('intake-answers'));
