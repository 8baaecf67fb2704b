// A minimal image node for the tiptap editor (pictures in 简报): an <img src alt>, block level.
// The server's sanitiser decides which sources survive (http(s) or paths on this site).
import { Node, mergeAttributes } from '@tiptap/vue-3'

declare module '@tiptap/core' {
  interface Commands<ReturnType> {
    campaignImage: { insertImage: (attrs: { src: string; alt?: string }) => ReturnType }
  }
}

export const ImageNode = Node.create({
  name: 'image',
  group: 'block',
  atom: true,
  draggable: true,
  addAttributes() {
    return { src: { default: null }, alt: { default: null } }
  },
  parseHTML() {
    return [{ tag: 'img[src]' }]
  },
  renderHTML({ HTMLAttributes }) {
    return ['img', mergeAttributes(HTMLAttributes)]
  },
  addCommands() {
    return {
      insertImage:
        (attrs) =>
        ({ commands }) =>
          commands.insertContent({ type: this.name, attrs }),
    }
  },
})
