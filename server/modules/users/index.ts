// users: people, their roles and units, bulk import. Others show a user through toUserDto.
export { userRoutes } from './routes.js'
export { toUserDto } from './dto.js'
