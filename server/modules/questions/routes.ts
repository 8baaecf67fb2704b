import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

// Placeholder: the question bank API is being built (issue 3).
export const questionRoutes: FastifyPluginAsyncTypebox = async () => {}
