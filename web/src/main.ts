import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { router } from './router'
import { recoverFromStaleBuild, registerServiceWorker } from './deploy'
import './styles.css'

// After a redeploy a page still running the old build asks for chunks that no longer exist: reload
// once into the new build (the exam's unsent answers stay queued in localStorage).
recoverFromStaleBuild(router)

const app = createApp(App)
app.use(createPinia())
app.use(router)
app.mount('#app')

registerServiceWorker()
