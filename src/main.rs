fn main() {
    println!("zhuqi");
}
