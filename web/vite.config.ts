import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import type { Plugin } from 'vite'

const root = fileURLToPath(new URL('.', import.meta.url))

/**
 * vant's icon font is embedded (woff2 as a data: URL) with a fallback on a public CDN. Government
 * intranets cannot reach that CDN and our CSP allows fonts only from this site: drop the fallback
 * so the app never asks a third party for anything.
 */
function vantIconsOffline(): Plugin {
  return {
    name: 'xuece:vant-icons-offline',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]vant[\\/].*\.css$/.test(id) || !code.includes('at.alicdn.com')) return null
      return { code: code.replace(/,\s*url\((?:https?:)?\/\/at\.alicdn\.com\/[^)]*\)\s*format\("woff"\)/g, ''), map: null }
    },
  }
}

export default defineConfig({
  root,
  plugins: [vantIconsOffline(), vue()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // `npm run dev:web` beside `npm run dev`: the API and socket.io stay on the server's port.
    proxy: {
      '/api': 'http://localhost:3000',
      '/socket.io': { target: 'http://localhost:3000', ws: true },
    },
  },
})
