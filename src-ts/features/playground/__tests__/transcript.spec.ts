import {
  applyChatEvent,
  assistantTurn,
  chatMessages,
  failAnswer,
  restoreTurns,
  stopAnswer,
  userTurn,
  type IAssistantTurn,
  type Turn
} from '../transcript';
import { turnRequest } from '../useChatSession';
import { answerEvents } from '../../../test-support/fixtures';

function fold(turn: IAssistantTurn, events: ReturnType<typeof answerEvents>, start = 1000): IAssistantTurn {
  return events.reduce((current, event, i) => applyChatEvent(current, event, start + 10 * (i + 1)), turn);
}

describe('transcript', () => {
  it('appends deltas as they arrive and takes the stats of done', () => {
    const start = assistantTurn(1000);
    const afterFirst = applyChatEvent(start, answerEvents(['Hel'])[0], 1050);
    expect(afterFirst).toMatchObject({ content: 'Hel', status: 'streaming', firstTokenAt: 1050, chunks: 1 });
    const done = fold(start, answerEvents(['Hel', 'lo', '!']));
    expect(done.content).toBe('Hello!');
    expect(done.status).toBe('done');
    expect(done.stats).toEqual({
      ttftMs: 120,
      totalMs: 480,
      tokens: 3,
      tokensPerS: 25,
      usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
      finishReason: 'stop',
      measuredBy: 'server'
    });
    // Nothing changes an ended answer.
    expect(applyChatEvent(done, answerEvents(['more'])[0], 5000)).toBe(done);
  });

  it('keeps what arrived when stopped and times it in the browser', () => {
    const partial = applyChatEvent(assistantTurn(1000), answerEvents(['Once'])[0], 1200);
    const stopped = stopAnswer(partial, 1700);
    expect(stopped).toMatchObject({ status: 'stopped', content: 'Once' });
    expect(stopped.stats).toMatchObject({ ttftMs: 200, totalMs: 700, tokens: null, measuredBy: 'browser' });
    expect(stopAnswer(stopped, 9999)).toBe(stopped);
  });

  it('records an error event with the deployment state, or a failed request', () => {
    const failed = applyChatEvent(
      assistantTurn(0),
      { type: 'error', data: { status: 502, message: 'The engine died.', deployment_state: 'FAILED' } },
      10
    );
    expect(failed).toMatchObject({
      status: 'error',
      error: 'The engine died.',
      errorStatus: 502,
      deploymentState: 'FAILED'
    });
    const refused = failAnswer(assistantTurn(0), 'Not active', 409, 5);
    expect(refused).toMatchObject({ status: 'error', error: 'Not active', errorStatus: 409 });
  });

  it('sends the system prompt and the history, without failed or empty answers', () => {
    const ok = fold(assistantTurn(0), answerEvents(['Hi!']));
    const failed = failAnswer(assistantTurn(0), 'boom', 502, 1);
    const turns: Turn[] = [
      { id: 'u1', role: 'user', content: 'Hello' },
      ok,
      { id: 'u2', role: 'user', content: 'Again' },
      failed
    ];
    expect(chatMessages('Be brief.', turns)).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hello' },
      { role: 'assistant', content: 'Hi!' },
      { role: 'user', content: 'Again' }
    ]);
    expect(chatMessages('   ', [userTurn('x')])).toEqual([{ role: 'user', content: 'x' }]);
  });

  it('builds chat and completion requests, leaving unset options out', () => {
    const sampling = {
      max_tokens: 64,
      temperature: 0.2,
      top_p: 0.9,
      top_k: null,
      frequency_penalty: 0,
      presence_penalty: 0,
      stop: ['\n\n'],
      seed: null
    };
    const chat = turnRequest('chat', 'Sys', [userTurn('a')], 'b', sampling);
    expect(chat).toEqual({
      max_tokens: 64,
      temperature: 0.2,
      top_p: 0.9,
      frequency_penalty: 0,
      presence_penalty: 0,
      stop: ['\n\n'],
      messages: [
        { role: 'system', content: 'Sys' },
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' }
      ]
    });
    const completion = turnRequest('completion', 'ignored', [userTurn('a')], 'Once upon', {
      ...sampling,
      top_k: 40,
      seed: 7
    });
    expect(completion).toMatchObject({ prompt: 'Once upon', top_k: 40, seed: 7 });
    expect(completion).not.toHaveProperty('messages');
  });

  it('marks answers that were streaming when the page went away as stopped', () => {
    const restored = restoreTurns([userTurn('q'), applyChatEvent(assistantTurn(100), answerEvents(['a'])[0], 150)]);
    expect(restored[1]).toMatchObject({ status: 'stopped', content: 'a' });
  });
});
