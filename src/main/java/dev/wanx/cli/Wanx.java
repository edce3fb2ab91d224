package dev.wanx.cli;

public final class Wanx {
    public static void main(String[] args) {
        System.out.println("wanx");
    }
}
