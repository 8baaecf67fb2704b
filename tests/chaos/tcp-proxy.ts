// A TCP proxy between the app and PostgreSQL that the test can cut and restore.
import net from 'node:net'

export class TcpProxy {
  private server: net.Server
  private sockets = new Set<net.Socket>()
  private cut = false
  port = 0

  constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer((client) => {
      if (this.cut) return client.destroy()
      const upstream = net.connect(this.target)
      this.sockets.add(client).add(upstream)
      const drop = () => {
        client.destroy()
        upstream.destroy()
        this.sockets.delete(client)
        this.sockets.delete(upstream)
      }
      client.on('error', drop).on('close', drop)
      upstream.on('error', drop).on('close', drop)
      client.pipe(upstream).pipe(client)
    })
  }

  async listen() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.port = (this.server.address() as net.AddressInfo).port
  }

  /** Drops every open connection and refuses new ones until `restore()`. */
  sever() {
    this.cut = true
    for (const s of this.sockets) s.destroy()
    this.sockets.clear()
  }

  restore() {
    this.cut = false
  }

  async close() {
    this.sever()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
