// The two route helpers every module uses: requireId (numeric :param or 404) and onInvalid (a
// refused form is answered with the form again, not an error page).
import type { FastifyReply } from 'fastify';
import { h, type VNode } from 'preact';
import { describe, expect, it } from 'vitest';
import { AppError, conflict, invalid, isAppError } from '../src/platform/errors.js';
import { onInvalid, requireId } from '../src/platform/http/forms.js';

function fakeReply() {
  const rendered: { status?: number; props: unknown }[] = [];
  const reply = { render: (node: { props: unknown }, status?: number) => (rendered.push({ status, props: node.props }), reply) } as unknown as FastifyReply;
  return { reply, rendered };
}

const caught = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e;
  }
};

describe('requireId', () => {
  it('reads a positive integer parameter', () => {
    expect(requireId({ params: { id: '42' } })).toBe(42);
    expect(requireId({ params: { task: '7' } }, 'task')).toBe(7);
  });

  it('answers not_found, with the module’s code, for anything else', () => {
    for (const v of ['abc', '-1', '1.5', '', '1234567890', undefined]) {
      const e = caught(() => requireId({ params: { id: v } }, 'id', 'content.not_found'));
      expect(isAppError(e) && e.kind === 'not_found' && e.code === 'content.not_found').toBe(true);
    }
    const e = caught(() => requireId({ params: {} }));
    expect(isAppError(e) && e.code === 'common.not_found').toBe(true);
  });
});

describe('onInvalid', () => {
  // What a handler passes is JSX (a VNode<any>); the form's props carry the errors to check.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const form = (errors: Record<string, string>): VNode => h<any>('form', { errors });

  it('returns what the action returns when it succeeds', async () => {
    const { reply, rendered } = fakeReply();
    expect(await onInvalid(reply, async () => 'redirected', form)).toBe('redirected');
    expect(rendered).toEqual([]);
  });

  it('renders the form again with the field errors and 422 when the input is refused', async () => {
    const { reply, rendered } = fakeReply();
    await onInvalid(reply, async () => { throw invalid('common.invalid', { title: 'field.required' }); }, form);
    expect(rendered).toEqual([{ status: 422, props: { errors: { title: 'field.required' } } }]);
  });

  it('renders a conflict as 409 with the message on top only when asked', async () => {
    const { reply, rendered } = fakeReply();
    await onInvalid(reply, async () => { throw conflict('common.stale_version'); }, form, { conflict: true });
    expect(rendered).toEqual([{ status: 409, props: { errors: { _form: 'common.stale_version' } } }]);
    await expect(onInvalid(reply, async () => { throw conflict('content.wrong_state'); }, form)).rejects.toMatchObject({ kind: 'conflict', code: 'content.wrong_state' });
  });

  it('lets every other error through to the error page', async () => {
    const { reply, rendered } = fakeReply();
    await expect(onInvalid(reply, async () => { throw new AppError('forbidden', 'content.no_right'); }, form, { conflict: true })).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(onInvalid(reply, async () => { throw new Error('disk full'); }, form)).rejects.toThrow('disk full');
    expect(rendered).toEqual([]);
  });
});
