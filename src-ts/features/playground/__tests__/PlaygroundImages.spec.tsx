import { fireEvent, screen, waitFor, within } from '@testing-library/react';

import { message, renderPlayground, sendMessage, sentChat } from '../../../test-support/playground';
import { answerEvents, FakeClient, makeDeployment } from '../../../test-support/fixtures';
import { trans } from '../../../test-support/trans';
import { IMAGE_TYPES, imageFileProblem, imageFilesOf, MAX_IMAGE_BYTES, takesImages } from '../imageAttachments';
import { chatMessages, messageText, userContent, userTurn } from '../transcript';
import { turnRequest } from '../useChatSession';

// A 1×1 PNG's first bytes are enough for the browser side: the server checks the image itself.
const PNG_BYTES = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngFile(name = 'cat.png'): File {
  return new File([PNG_BYTES], name, { type: 'image/png' });
}

function visionClient(): FakeClient {
  const client = new FakeClient();
  client.deployments = [makeDeployment({ chat_inputs: ['text', 'image'], capability: 'IMAGE_TEXT_TO_TEXT' })];
  client.chatEvents = answerEvents(['赤い', ' 猫']);
  return client;
}

describe('image content parts', () => {
  it('a user turn with images is sent as OpenAI text and image_url parts', () => {
    const url = 'data:image/png;base64,iVBORw0KGgo=';
    expect(userContent('What is this? 이것은 무엇입니까?', [url])).toEqual([
      { type: 'text', text: 'What is this? 이것은 무엇입니까?' },
      { type: 'image_url', image_url: { url } }
    ]);
    expect(userContent('', [url])).toEqual([{ type: 'image_url', image_url: { url } }]);
    expect(userContent('plain', undefined)).toBe('plain');
    const turns = [userTurn('写真', [url]), userTurn('no image')];
    const messages = chatMessages('Be brief.', turns);
    expect(messages[1].content).toEqual([
      { type: 'text', text: '写真' },
      { type: 'image_url', image_url: { url } }
    ]);
    expect(messages[2].content).toBe('no image');
    expect(messageText(messages[1].content)).toBe('写真');
    const body = turnRequest('chat', '', [], 'next', { max_tokens: 8 }, [url]);
    expect(body.messages?.[0].content).toEqual([
      { type: 'text', text: 'next' },
      { type: 'image_url', image_url: { url } }
    ]);
  });

  it('offers images only where the server says so, and checks type and size first', () => {
    expect(takesImages({ chat_inputs: ['text', 'image'] })).toBe(true);
    expect(takesImages({ chat_inputs: ['text'] })).toBe(false);
    expect(takesImages({})).toBe(false);
    expect(takesImages(null)).toBe(false);
    expect(IMAGE_TYPES).toContain('image/webp');
    expect(imageFileProblem({ name: 'a.png', type: 'image/png', size: 10 }, trans)).toBeNull();
    expect(imageFileProblem({ name: 'a.pdf', type: 'application/pdf', size: 10 }, trans)).toMatch(/not a PNG/);
    expect(imageFileProblem({ name: 'big.png', type: 'image/png', size: MAX_IMAGE_BYTES + 1 }, trans)).toMatch(
      /at most 20 MB/
    );
    const text = new File(['hi'], 'notes.txt', { type: 'text/plain' });
    expect(imageFilesOf({ files: [pngFile(), text] as unknown as FileList })).toHaveLength(1);
    expect(imageFilesOf(null)).toEqual([]);
  });
});

describe('Playground image input', () => {
  beforeEach(() => window.localStorage.clear());

  it('has no image input for a text deployment', async () => {
    renderPlayground();
    await screen.findByRole('heading', { name: 'Qwen chat' });
    expect(screen.queryByRole('button', { name: 'Attach image' })).not.toBeInTheDocument();
  });

  it('attaches a picked image, previews it, sends it as a part and shows it in the transcript', async () => {
    const client = visionClient();
    renderPlayground({}, client);
    await screen.findByRole('heading', { name: 'Qwen chat' });
    fireEvent.change(screen.getByLabelText('Image files'), { target: { files: [pngFile('고양이.png')] } });
    const preview = await screen.findByRole('list', { name: 'Images to send' });
    const thumbnail = within(preview).getByRole('img', { name: '고양이.png' });
    expect(thumbnail.getAttribute('src')).toMatch(/^data:image\/png;base64,/);

    sendMessage('What colour? 何色？');
    await waitFor(() => expect(client.streamChat).toHaveBeenCalledTimes(1));
    const [user] = sentChat(client, 0).messages ?? [];
    expect(user.content).toEqual([
      { type: 'text', text: 'What colour? 何色？' },
      { type: 'image_url', image_url: { url: thumbnail.getAttribute('src') } }
    ]);
    // Sent: the preview is emptied, the image is in the transcript with the question.
    expect(screen.queryByRole('list', { name: 'Images to send' })).not.toBeInTheDocument();
    const shown = await screen.findByRole('img', { name: 'Image 1 of the message' });
    expect(shown.closest('.jp-AquaExt-Turn')).toHaveClass('jp-mod-user');
  });

  it('takes a pasted image, refuses a file that is not one, and removes an attachment', async () => {
    const client = visionClient();
    renderPlayground({}, client);
    await screen.findByRole('heading', { name: 'Qwen chat' });
    // The test environment's ClipboardEvent mock drops `bubbles`, so React never sees it: a plain
    // bubbling paste event with the clipboard's files.
    const paste = new Event('paste', { bubbles: true, cancelable: true });
    Object.defineProperty(paste, 'clipboardData', { value: { files: [pngFile('pasted.png')] } });
    fireEvent(message(), paste);
    await screen.findByRole('img', { name: 'pasted.png' });
    expect(paste.defaultPrevented).toBe(true); // the image is not pasted as text
    fireEvent.change(screen.getByLabelText('Image files'), {
      target: { files: [new File(['%PDF'], 'doc.pdf', { type: 'application/pdf' })] }
    });
    expect(await screen.findByRole('alert')).toHaveTextContent('doc.pdf is not a PNG, JPEG, GIF or WebP image.');
    fireEvent.click(screen.getByRole('button', { name: 'Remove pasted.png' }));
    expect(screen.queryByRole('img', { name: 'pasted.png' })).not.toBeInTheDocument();
  });
});
