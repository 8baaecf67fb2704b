import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { router } from './router'
import { recoverFromStaleBuild, registerServiceWorker } from './deploy'
import { fetchEarly } from './api/early'
import { useAuthStore } from './stores/auth'
import { ignoreDoubleClicksOnBackdrops } from './lib/backdrop-clicks'
import { addMissingCompositeKeys } from './lib/composite-keys'
import { keepFocusInVantModals } from './lib/modal-focus'
import './styles.css'

// After a redeploy a page still running the old build asks for chunks that no longer exist: reload
// once into the new build (the exam's unsent answers stay queued in localStorage).
recoverFromStaleBuild(router)
// A double-click on a button must not open its dialog and close it again at once.
ignoreDoubleClicksOnBackdrops()
// ←/→ between vant's tabs and Enter on element-plus's tree nodes, which the libraries leave out.
addMissingCompositeKeys()
// vant's popups over an overlay keep Tab inside, close on Escape and give the focus back when they close.
keepFocusInVantModals()

const app = createApp(App)
app.use(createPinia())
// The first page's data leaves while its code is still downloading (after the sign-in guard).
const stopEarly = router.beforeEach((to) => {
  stopEarly()
  fetchEarly(to, useAuthStore().accessToken)
})
app.use(router)
app.mount('#app')

registerServiceWorker()
