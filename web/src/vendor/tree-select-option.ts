// ElTreeSelect draws every tree node through a small component that `extends` ElOption and
// overrides one of its methods. Both are Options-API features, and this build compiles the Options
// API out (`__VUE_OPTIONS_API__: false` in vite.config.ts keeps the member pages inside their
// download budget), so every node drew empty and the picker showed a bare org id. This is the same
// component written with the Composition API — ElOption's own props, setup and render — and
// vite.config.ts points element-plus's import of the original at it.
import { defineComponent, getCurrentInstance, nextTick, watch, type ComponentPropsOptions, type SetupContext } from 'vue'
import { ElOption } from 'element-plus'

interface OptionInternals {
  select: { states: { cachedOptions: Map<unknown, unknown> }; onOptionCreate(vm: unknown): void }
  states: { visible: boolean }
  [binding: string]: unknown
}
const option = ElOption as unknown as {
  props: ComponentPropsOptions
  setup(props: unknown, ctx: SetupContext): OptionInternals
  render: (...args: never[]) => unknown
}

export default defineComponent({
  props: option.props,
  setup(props, ctx) {
    const bindings = option.setup(props, ctx)
    const vm = getCurrentInstance()!.proxy as unknown as { value: unknown; $el: HTMLElement }
    void nextTick(() => {
      if (!bindings.select.states.cachedOptions.get(vm.value)) bindings.select.onOptionCreate(vm)
    })
    // The tree decides which nodes a filter leaves visible; the option follows it.
    watch(
      () => ctx.attrs.visible as boolean,
      (visible) => void nextTick(() => (bindings.states.visible = visible)),
      { immediate: true },
    )
    // Choosing an option is clicking its tree node: the tree's own handler selects it.
    return { ...bindings, selectOptionClick: () => vm.$el.parentElement?.click() }
  },
  render: option.render,
})
