/**
 * The bank account of the original library's README, in this library's shape: a pure `handle` that
 * decides, a pure `apply` that folds.
 */
import { err, type Handle, ok } from "../../src/index.js";

export type BankAccount =
  | { readonly type: "Unopened" }
  | { readonly type: "BankAccount"; readonly balance: number };

export type BankAccountCommand =
  | { readonly type: "OpenAccount"; readonly accountId: string }
  | { readonly type: "DepositMoney"; readonly amount: number }
  | { readonly type: "WithDrawMoney"; readonly amount: number };

export type BankAccountEvent =
  | { readonly type: "AccountOpened"; readonly accountId: string }
  | { readonly type: "CustomerDepositedCash"; readonly amount: number; readonly balance: number }
  | { readonly type: "CustomerWithdrewCash"; readonly amount: number; readonly balance: number };

export type BankAccountError =
  | "CantDepositNegativeAmount"
  | "CantOperateOnUnopenedAccount"
  | "CantWithdrawMoreThanCurrentBalance";

export const emptyState: BankAccount = { type: "Unopened" };

export const handle: Handle<BankAccount, BankAccountCommand, BankAccountEvent, BankAccountError> = (
  account,
  command,
) => {
  if (account.type === "Unopened") {
    return command.type === "OpenAccount"
      ? ok([{ type: "AccountOpened", accountId: command.accountId }])
      : err("CantOperateOnUnopenedAccount");
  }
  switch (command.type) {
    case "DepositMoney":
      return command.amount > 0
        ? ok([
            {
              type: "CustomerDepositedCash",
              amount: command.amount,
              balance: account.balance + command.amount,
            },
          ])
        : err("CantDepositNegativeAmount");
    case "WithDrawMoney":
      return command.amount > 0 && account.balance >= command.amount
        ? ok([
            {
              type: "CustomerWithdrewCash",
              amount: command.amount,
              balance: account.balance - command.amount,
            },
          ])
        : err("CantWithdrawMoreThanCurrentBalance");
    case "OpenAccount":
      return err("CantOperateOnUnopenedAccount");
  }
};

export function apply(_account: BankAccount, event: BankAccountEvent): BankAccount {
  switch (event.type) {
    case "AccountOpened":
      return { type: "BankAccount", balance: 0 };
    case "CustomerDepositedCash":
    case "CustomerWithdrewCash":
      return { type: "BankAccount", balance: event.balance };
  }
}
