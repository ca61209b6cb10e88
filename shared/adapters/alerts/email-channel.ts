import { createTransport, type Transporter } from 'nodemailer';
import { emailContent } from '../../core/alerts/render.ts';
import type { AlertChannel, AlertMessage } from '../../ports/index.ts';

/** Sends alerts as plain-text e-mail through an SMTP server (nodemailer). */
export class EmailChannel implements AlertChannel {
  readonly name: string;
  private readonly transport: Transporter;

  constructor(private readonly options: { smtpUrl: string; from: string; to: readonly string[] }) {
    this.name = `email:${options.to.join(',')}`;
    this.transport = createTransport(options.smtpUrl);
  }

  async send(message: AlertMessage): Promise<void> {
    const { subject, text } = emailContent(message);
    await this.transport.sendMail({ from: this.options.from, to: [...this.options.to], subject, text });
  }

  close(): void {
    this.transport.close();
  }
}
