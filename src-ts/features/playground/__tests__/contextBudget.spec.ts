import type { ChatUsage } from '../../../api/types';
import { contextBudget, defaultMaxTokens, estimateTokens, promptTokens } from '../contextBudget';
import { contextRefusalHint } from '../useChatSession';
import type { IAssistantTurn, Turn } from '../transcript';
import { trans } from '../../../test-support/trans';

// 731 Hangul syllables: about one token each, so well over a 512-token context.
const KOREAN_731 = '가나다라마바사아자차카타파하'.repeat(53).slice(0, 731);

function answer(content: string, usage: ChatUsage | null): IAssistantTurn {
  return {
    id: 'a1',
    role: 'assistant',
    content,
    status: 'done',
    error: null,
    errorStatus: null,
    deploymentState: null,
    stats: { ttftMs: 1, totalMs: 2, tokens: 3, tokensPerS: 1, usage, finishReason: 'stop', measuredBy: 'server' },
    startedAt: 0,
    firstTokenAt: 1,
    chunks: 1
  };
}

describe('context budget', () => {
  it('defaults max tokens to a quarter of the context, at most 1024, never the whole context', () => {
    expect(defaultMaxTokens(512)).toBe(128);
    expect(defaultMaxTokens(2048)).toBe(512);
    expect(defaultMaxTokens(32768)).toBe(1024);
    expect(defaultMaxTokens(null)).toBe(512);
    expect(defaultMaxTokens(2)).toBe(1);
  });

  it('counts one token per CJK character and about four Latin characters per token', () => {
    expect(estimateTokens(KOREAN_731)).toBe(731);
    expect(estimateTokens('日本語のテキスト')).toBe(8);
    expect(estimateTokens('abcdefgh')).toBe(2);
    expect(estimateTokens('VM 한국어')).toBe(3 + 1); // 3 Hangul; "VM " is 3 Latin characters → 1
    expect(estimateTokens('')).toBe(0);
  });

  it('warns that a 731-character Korean prompt does not fit a 512-token model', () => {
    const prompt = promptTokens('chat', '', [], KOREAN_731);
    expect(prompt.source).toBe('estimate');
    expect(prompt.tokens).toBe(731 + 4);
    expect(contextBudget(prompt, 128, 512)?.over).toBe(true);
    expect(contextBudget(promptTokens('completion', '', [], '短い質問'), 128, 512)).toMatchObject({
      tokens: 4,
      over: false
    });
    expect(contextBudget(prompt, 128, null)).toBeNull(); // context unknown: no warning
  });

  it("takes the conversation so far from the engine's usage of the last answer", () => {
    const history: Turn[] = [
      { id: 'u1', role: 'user', content: '안녕하세요' },
      answer('こんにちは', { prompt_tokens: 300, completion_tokens: 100, total_tokens: 400 })
    ];
    expect(promptTokens('chat', 'system', history, '다음')).toEqual({ tokens: 400 + 4 + 2, source: 'engine' });
    const noUsage: Turn[] = [history[0], answer('こんにちは', null)];
    expect(promptTokens('chat', '', noUsage, '다음')).toEqual({ tokens: 4 + 5 + 4 + 5 + 4 + 2, source: 'estimate' });
  });

  it('explains an engine refusal when the request did not fit', () => {
    const budget = contextBudget({ tokens: 735, source: 'estimate' }, 128, 512);
    expect(contextRefusalHint(budget, 'Bad request', trans)).toBe(
      "The prompt (735 tokens, estimated) and max tokens (128) need more than this model's context of 512 tokens: shorten the prompt, lower Max tokens or clear the conversation."
    );
    const fits = contextBudget({ tokens: 10, source: 'estimate' }, 128, 512);
    expect(contextRefusalHint(fits, 'The engine stopped answering.', trans)).toBeNull();
    expect(contextRefusalHint(fits, "This model's maximum context length is 512 tokens", trans)).not.toBeNull();
    expect(contextRefusalHint(null, 'context', trans)).toBeNull();
  });
});
